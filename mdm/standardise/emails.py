"""Email addresses: syntax check (no network), role/disposable flags, a canonical matching form.

Syntax is the practical subset of RFC 5321/5322 that mail providers accept: a dot-atom
local part (ASCII atext, plus non-ASCII letters/digits for internationalised addresses)
of at most 64 characters, and a domain of LDH labels with an alphabetic or IDN top-level
label; quoted local parts and IP-literal domains are rejected. Unicode domains are
stored as IDNA (punycode), so ``müller.de`` and ``xn--mller-kva.de`` match.

A domain one keystroke from a large mailbox provider's (:data:`PROVIDERS`: ``yaho.com``,
``gmal.com``, ``gmail.con``, ``comcat.net``, ``iclod.com``) is corrected to it, the domain as
typed kept in ``corrected_from``: nobody has a mailbox at those, and leaving them would publish
an address that bounces and keep two spellings of one address apart. The address stays valid
(the slip is the typist's, not a defect of the customer's address). Only an unambiguous
correction is made (exactly one provider one edit away), and for providers whose name is short
(aol, msn, me, gmx, web, qq) only in the top-level label (``aol.con``), so ``aon.com`` or
``mi.com`` stay as they are.

``value`` is the address lower-cased; for gmail.com/googlemail.com (which ignore dots
and ``+tags``) the local part also loses its dots and ``+tag`` and the domain becomes
gmail.com, so J.Smith+crm@googlemail.com -> jsmith@gmail.com. Other providers keep
``+tags`` (for many of them the ``+`` is part of the mailbox name). ``local`` and
``domain`` are the address as given, lower-cased (the domain corrected as above). Invalid and placeholder addresses
(none@none.com, anything @example.com) get ``value=None`` so they never match.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import jellyfish

from mdm.refdata import words
from mdm.standardise.base import Context, FieldValue, standardiser

EMAIL_FIELDS = ("value", "valid", "reason", "local", "domain", "is_role", "is_disposable", "corrected_from")

_ATEXT = frozenset("abcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+/=?^_`{|}~-")
_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_TLD = re.compile(r"^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")
_GMAIL = frozenset({"gmail.com", "googlemail.com"})

ROLE_LOCALS: frozenset[str] = words(
    """
    info sales admin administrator support help helpdesk contact contactus noreply no-reply donotreply
    do-not-reply office billing accounts accounting finance hr jobs careers recruiting marketing webmaster
    postmaster hostmaster abuse security team hello enquiries enquiry inquiries inquiry service
    customerservice customercare orders press media legal privacy feedback mail newsletter reception
    root sysadmin it ops operations purchasing procurement invoices ap ar payroll compliance
    """
)

DISPOSABLE_DOMAINS: frozenset[str] = words(
    """
    mailinator.com 10minutemail.com 10minutemail.net 20minutemail.com guerrillamail.com guerrillamail.net
    guerrillamail.org guerrillamail.biz guerrillamailblock.com sharklasers.com grr.la yopmail.com yopmail.fr
    yopmail.net temp-mail.org temp-mail.io tempmail.com tempmailo.com tempail.com trashmail.com trashmail.de
    trashmail.net getnada.com nada.email maildrop.cc dispostable.com throwawaymail.com fakeinbox.com
    mailnesia.com mintemail.com mohmal.com emailondeck.com spamgourmet.com mytemp.email tempr.email
    discard.email mailcatch.com getairmail.com burnermail.io mailpoof.com moakt.com spambox.us
    33mail.com mailnull.com jetable.org mail-temporaire.fr
    """
)

#: large consumer mailbox providers: mailcheck's default domain list (the typo-suggestion list
#: web sign-up forms use), with the national variants and the European and Chinese providers
#: customers of this tool's regions use, so that one national variant is never "corrected" to
#: another (yahoo.de vs yahoo.dk: both listed, neither changes)
PROVIDERS: frozenset[str] = words(
    """
    gmail.com googlemail.com yahoo.com ymail.com rocketmail.com hotmail.com outlook.com live.com msn.com
    aol.com aim.com icloud.com me.com mac.com comcast.net verizon.net att.net sbcglobal.net bellsouth.net
    cox.net charter.net earthlink.net optonline.net juno.com protonmail.com proton.me zoho.com mail.com
    email.com usa.com post.com
    gmx.com gmx.net gmx.de gmx.at gmx.ch web.de t-online.de freenet.de arcor.de posteo.de
    yahoo.co.uk yahoo.ca yahoo.com.au yahoo.co.in yahoo.co.jp yahoo.fr yahoo.de yahoo.dk yahoo.es
    yahoo.it yahoo.com.br yahoo.com.mx yahoo.com.cn hotmail.co.uk hotmail.fr hotmail.de hotmail.it
    hotmail.es hotmail.com.br outlook.fr outlook.de outlook.es outlook.it live.co.uk live.fr live.de
    live.it live.nl live.ca btinternet.com sky.com virginmedia.com talktalk.net ntlworld.com
    orange.fr wanadoo.fr free.fr laposte.net sfr.fr libero.it virgilio.it tiscali.it alice.it
    ziggo.nl kpnmail.nl planet.nl telenet.be skynet.be bluewin.ch wp.pl onet.pl o2.pl interia.pl
    seznam.cz telefonica.net terra.com.br uol.com.br bol.com.br rogers.com shaw.ca sympatico.ca
    telus.net videotron.ca bigpond.com optusnet.com.au xtra.co.nz qq.com 163.com 126.com sina.com
    sina.cn sohu.com aliyun.com foxmail.com yeah.net 139.com naver.com hanmail.net daum.net yandex.ru
    yandex.com mail.ru rambler.ru
    """
)
#: providers whose name (first label) is at least this long may be matched with a typo in the
#: name; shorter ones only with a typo in the top-level label
_NAME_TYPO_MIN = 5

#: local parts (before any +tag) that mean "no address": a CRM field someone had to fill
PLACEHOLDER_LOCALS: frozenset[str] = words(
    """
    none noemail no-email no_email nomail no.email noaddress no-address noemailaddress noemailprovided
    donotemail dontemail unknown na n/a n.a nil null test no nobody noone no-one notprovided not.provided
    notavailable not.available declined refused fake dummy blank empty asdf qwerty xxx xxxx
    """
)
#: domains that mean "no address" (whatever the local part)
PLACEHOLDER_DOMAINS: frozenset[str] = words(
    """
    example.com example.org example.net none.com none.net noemail.com noemail.net nomail.com nomail.net
    noaddress.com na.com unknown.com test.com domain.com email.invalid invalid.com fake.com nowhere.com
    """
)
_RESERVED_TLDS = frozenset({"test", "example", "invalid", "localhost", "local"})


def _local_ok(local: str) -> bool:
    if not 1 <= len(local) <= 64 or local.startswith(".") or local.endswith(".") or ".." in local:
        return False
    for c in local:
        if c == "." or c in _ATEXT:
            continue
        if c.isascii() or not (c.isalnum() or unicodedata.category(c).startswith("M")):
            return False
    return True


def _ascii_domain(domain: str) -> str | None:
    """The IDNA (punycode) form of a syntactically valid domain, else None."""
    if domain.isascii():
        ascii_domain = domain
    else:
        try:
            ascii_domain = domain.encode("idna").decode("ascii").lower()
        except (UnicodeError, ValueError):
            return None
    labels = ascii_domain.split(".")
    if len(ascii_domain) > 253 or len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        return None
    return ascii_domain if _TLD.match(labels[-1]) else None


def _unwrap(text: str) -> str:
    """Strip what mail clients and CRMs wrap around an address: "Name <a@b>", mailto:, quotes."""
    if "<" in text and text.endswith(">"):
        text = text[text.rindex("<") + 1 : -1]
    text = text.strip().strip("'\"").strip()
    if text[:7].lower() == "mailto:":
        text = text[7:]
    return text.strip()


def _is_disposable(domain: str) -> bool:
    labels = domain.split(".")
    return any(".".join(labels[i:]) in DISPOSABLE_DOMAINS for i in range(len(labels) - 1))


@lru_cache(maxsize=65536)
def provider_typo(domain: str) -> str | None:
    """The provider domain ``domain`` is one keystroke from (see the module docstring), else None."""
    if domain in PROVIDERS or "." not in domain:
        return None
    name, _, tld = domain.partition(".")
    found = set()
    for p in PROVIDERS:
        if abs(len(p) - len(domain)) > 1 or jellyfish.damerau_levenshtein_distance(domain, p) != 1:
            continue
        p_name, _, p_tld = p.partition(".")
        if len(p_name) >= _NAME_TYPO_MIN or (p_name == name and p_tld != tld):
            found.add(p)
    return next(iter(found)) if len(found) == 1 else None


def _email(text: str, ctx: Context) -> dict[str, FieldValue]:
    """Validate and canonicalise one email address."""
    address = _unwrap(text).lower()
    local, at, domain_given = address.rpartition("@")
    domain = _ascii_domain(domain_given) if at else None
    if not at or domain is None or not _local_ok(local) or len(local) + 1 + len(domain) > 254:
        return {"value": None, "valid": False, "reason": "email.syntax"}
    corrected_from = None
    if (fixed := provider_typo(domain)) is not None:
        corrected_from, domain = domain, fixed
    base = local.split("+", 1)[0] or local
    out: dict[str, FieldValue] = {
        "local": local,
        "domain": domain,
        "is_role": base.replace(".", "").replace("_", "") in ROLE_LOCALS or base in ROLE_LOCALS,
        "is_disposable": _is_disposable(domain),
    }
    if base in PLACEHOLDER_LOCALS or domain in PLACEHOLDER_DOMAINS or domain.rsplit(".", 1)[-1] in _RESERVED_TLDS:
        return {**out, "value": None, "valid": False, "reason": "email.placeholder"}
    if domain in _GMAIL:
        local, domain = base.replace(".", "") or local, "gmail.com"
    return {**out, "corrected_from": corrected_from, "value": f"{local}@{domain}"}


EMAIL = standardiser("email", EMAIL_FIELDS, _email, reads=set())

"""Employers, job titles and e-mail domains (all company names are invented)."""

from __future__ import annotations

COMPANY_WORDS: tuple[str, ...] = tuple(line for chunk in """
Summit Pinnacle Blue_Ridge Northwind Evergreen Granite Silverline Redwood Harbor Keystone
Liberty Pioneer Cascade Atlas Vertex Meridian Horizon Crescent Beacon Sterling Ironwood
Bluebird Clearwater Riverbend Oakmont Lakeside Highland Copper_Creek Stonebridge Westfield
Brightpath Greenleaf Trident Apex Frontier Heritage Sunrise Bayview Falcon Cardinal Maplewood
Orion Polaris Quantum Nimbus Cobalt Juniper Sequoia Magnolia Willow Aspen Ember Catalyst
Anchor Compass Lighthouse Prairie Canyon Mesa Tidewater Hillside Fairway Crossroads
""".splitlines() for line in chunk.split(" ") if line)

COMPANY_INDUSTRIES: tuple[str, ...] = (
    "Logistics", "Analytics", "Consulting", "Solutions", "Systems", "Foods", "Health",
    "Dental Group", "Realty", "Construction", "Capital", "Partners", "Engineering", "Media",
    "Labs", "Manufacturing", "Insurance Agency", "Motors", "Legal Group", "Supply",
    "Technologies", "Software", "Energy", "Pharmacy", "Veterinary Clinic", "Bakery",
    "Landscaping", "Plumbing & Heating", "Accounting", "Marketing", "Design Studio",
    "Financial Services", "Home Care", "Auto Repair", "Distribution", "Printing",
)

# legal form canonical -> variants as people write them; weight
LEGAL_FORMS_US: tuple[tuple[str, tuple[str, ...], float], ...] = (
    ("Inc.", ("Inc", ", Inc.", "Incorporated", "INC"), 40), ("LLC", ("L.L.C.", ", LLC", "Llc"), 35),
    ("Corp.", ("Corp", "Corporation", ", Corp."), 10), ("Co.", ("Co", "Company"), 5),
    ("LLP", ("L.L.P.",), 4), ("PLLC", ("P.L.L.C.",), 3), ("Ltd.", ("Ltd", "Limited"), 3),
)
LEGAL_FORMS_GB: tuple[tuple[str, tuple[str, ...], float], ...] = (
    ("Ltd", ("Ltd.", "Limited", "LTD"), 80), ("PLC", ("plc", "P.L.C."), 10), ("LLP", ("L.L.P.",), 10),
)
LEGAL_FORMS_DE: tuple[tuple[str, tuple[str, ...], float], ...] = (
    ("GmbH", ("Gmbh", "G.m.b.H."), 70), ("GmbH & Co. KG", ("GmbH & Co KG",), 15), ("AG", ("A.G.",), 15),
)
LEGAL_FORMS_CA: tuple[tuple[str, tuple[str, ...], float], ...] = (
    ("Inc.", ("Inc", "Incorporated"), 50), ("Ltd.", ("Ltd", "Limited"), 40), ("Corp.", ("Corp",), 10),
)
LEGAL_FORMS_CN: tuple[tuple[str, tuple[str, ...], float], ...] = (
    ("Co., Ltd.", ("Co. Ltd", "Company Limited", "Co.,Ltd."), 90), ("Group", ("Group Co.",), 10),
)
CN_INDUSTRIES: tuple[str, ...] = (
    "Technology", "Trading", "Electronics", "Industrial", "Import & Export", "Software",
    "Machinery", "Textile", "Biotech", "Logistics",
)
CN_BRANDS: tuple[str, ...] = (
    "Huaxin", "Jinlong", "Tianyu", "Hengda", "Xinhua", "Zhongke", "Dongfang", "Hongxing",
    "Changcheng", "Ruifeng", "Haitian", "Jiahe",
)

JOB_TITLES: tuple[str, ...] = (
    "Owner", "Manager", "Sales Manager", "Account Manager", "Office Manager", "Director",
    "Operations Manager", "Project Manager", "Software Engineer", "Senior Software Engineer",
    "Accountant", "Controller", "CFO", "CEO", "COO", "CTO", "President", "Vice President",
    "VP Sales", "VP Marketing", "Marketing Manager", "Marketing Coordinator", "HR Manager",
    "Recruiter", "Purchasing Manager", "Buyer", "Procurement Specialist", "Analyst",
    "Business Analyst", "Data Analyst", "Consultant", "Senior Consultant", "Partner",
    "Attorney", "Paralegal", "Nurse", "Physician", "Dentist", "Pharmacist", "Teacher",
    "Engineer", "Mechanical Engineer", "Civil Engineer", "Architect", "Designer",
    "Administrative Assistant", "Executive Assistant", "Receptionist", "Customer Service Rep",
    "Sales Representative", "Store Manager", "Warehouse Supervisor", "Driver", "Technician",
    "IT Manager", "Systems Administrator", "Product Manager", "Research Scientist",
    "Financial Advisor", "Real Estate Agent", "Electrician", "Chef", "Bookkeeper",
)

# (domain, weight) for US consumers
US_EMAIL_DOMAINS: tuple[tuple[str, float], ...] = (
    ("gmail.com", 38), ("yahoo.com", 13), ("hotmail.com", 7), ("outlook.com", 7),
    ("icloud.com", 7), ("aol.com", 3), ("comcast.net", 3), ("att.net", 2), ("msn.com", 1.5),
    ("live.com", 1.5), ("me.com", 1), ("protonmail.com", 1), ("verizon.net", 1),
    ("sbcglobal.net", 1), ("cox.net", 1), ("ymail.com", 0.5),
)
GB_EMAIL_DOMAINS: tuple[tuple[str, float], ...] = (
    ("gmail.com", 40), ("hotmail.co.uk", 15), ("yahoo.co.uk", 10), ("btinternet.com", 10),
    ("outlook.com", 10), ("sky.com", 5), ("icloud.com", 10),
)
DE_EMAIL_DOMAINS: tuple[tuple[str, float], ...] = (
    ("gmx.de", 25), ("web.de", 25), ("gmail.com", 25), ("t-online.de", 15), ("outlook.de", 10),
)
CA_EMAIL_DOMAINS: tuple[tuple[str, float], ...] = (
    ("gmail.com", 45), ("hotmail.com", 15), ("yahoo.ca", 10), ("rogers.com", 10),
    ("shaw.ca", 10), ("sympatico.ca", 5), ("outlook.com", 5),
)
CN_EMAIL_DOMAINS: tuple[tuple[str, float], ...] = (
    ("qq.com", 45), ("163.com", 25), ("126.com", 10), ("sina.com", 5), ("gmail.com", 10),
    ("outlook.com", 5),
)

# Typos people make in the domain part.
DOMAIN_TYPOS: dict[str, tuple[str, ...]] = {
    "gmail.com": ("gmial.com", "gmail.con", "gmal.com", "gmail.co", "gnail.com"),
    "yahoo.com": ("yaho.com", "yahooo.com", "yahoo.con"),
    "hotmail.com": ("hotmial.com", "hotmail.co", "hotmai.com"),
    "outlook.com": ("outlok.com", "outloo.com"),
    "icloud.com": ("icoud.com", "iclod.com"),
    "aol.com": ("aol.co", "aoll.com"),
    "comcast.net": ("comcast.com", "comcat.net"),
}

# Values clerks type when they do not know the real one (shared by many customers).
PLACEHOLDER_EMAILS: tuple[str, ...] = (
    "none@none.com", "noemail@noemail.com", "na@na.com", "no@email.com", "unknown@unknown.com",
)
PLACEHOLDER_PHONES: tuple[str, ...] = ("0000000000", "5555555555", "1234567890", "9999999999")

DE_INDUSTRIES: tuple[str, ...] = (
    "Maschinenbau", "Logistik", "Bau", "Elektrotechnik", "Consulting", "Immobilien",
    "Software", "Handel", "Medizintechnik", "Steuerberatung",
)

# Job titles of people without an employer on file.
OTHER_TITLES: tuple[str, ...] = ("Retired", "Student", "Self-Employed", "Homemaker", "Freelancer")

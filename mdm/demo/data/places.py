"""Places: real US city/state/ZIP triples with an area code, streets, and a few
foreign cities with plausible local address formats."""

from __future__ import annotations

from typing import NamedTuple


class City(NamedTuple):
    city: str
    state: str
    postal_code: str
    area_code: str
    weight: float  # rough population share, for sampling


# city | state | ZIP codes of that city | area code | weight (population, 100k)
_US = """
New York|NY|10001 10002 10003 10011 10016 10023 10025 10128|212|40
Brooklyn|NY|11201 11211 11215 11238|718|25
Los Angeles|CA|90012 90026 90027 90034 90045|213|38
Chicago|IL|60601 60607 60614 60618 60625 60640|312|27
Houston|TX|77002 77004 77008 77019 77056|713|23
Phoenix|AZ|85004 85008 85016 85032|602|16
Philadelphia|PA|19103 19104 19107 19123 19147|215|16
San Antonio|TX|78205 78209 78212|210|15
San Diego|CA|92101 92103 92109 92117|619|14
Dallas|TX|75201 75204 75206 75214|214|13
San Jose|CA|95113 95125|408|10
Austin|TX|78701 78704 78745 78751|512|10
Jacksonville|FL|32202 32207|904|9
Fort Worth|TX|76102 76107|817|9
Columbus|OH|43215 43201|614|9
Charlotte|NC|28202 28203|704|9
San Francisco|CA|94103 94107 94110 94115 94122|415|8
Indianapolis|IN|46204 46202|317|9
Seattle|WA|98101 98103 98109 98115 98122|206|7
Denver|CO|80202 80205 80206 80210 80220|303|7
Washington|DC|20001 20002 20009 20016|202|7
Boston|MA|02108 02115 02116 02118 02127|617|7
El Paso|TX|79901|915|7
Nashville|TN|37203 37206|615|7
Detroit|MI|48226 48201|313|6
Oklahoma City|OK|73102|405|7
Portland|OR|97204 97205 97209 97214 97232|503|6
Las Vegas|NV|89101 89109|702|6
Memphis|TN|38103|901|6
Louisville|KY|40202|502|6
Baltimore|MD|21202 21218|410|6
Milwaukee|WI|53202|414|6
Albuquerque|NM|87102|505|5
Tucson|AZ|85701|520|5
Fresno|CA|93721|559|5
Mesa|AZ|85201|480|5
Sacramento|CA|95814 95816|916|5
Atlanta|GA|30303 30306 30308 30309 30318|404|5
Kansas City|MO|64105|816|5
Colorado Springs|CO|80903|719|5
Omaha|NE|68102|402|5
Raleigh|NC|27601|919|5
Miami|FL|33130 33131 33133 33145|305|4
Long Beach|CA|90802|562|4
Virginia Beach|VA|23451|757|4
Oakland|CA|94612|510|4
Minneapolis|MN|55401 55403 55405 55408 55414|612|4
Tulsa|OK|74103|918|4
Tampa|FL|33602|813|4
Arlington|TX|76010|817|4
New Orleans|LA|70112 70115|504|4
Wichita|KS|67202|316|4
Cleveland|OH|44113|216|4
Bakersfield|CA|93301|661|4
Aurora|CO|80012|303|3
Anaheim|CA|92805|714|3
Honolulu|HI|96813|808|3
Santa Ana|CA|92701|714|3
Riverside|CA|92501|951|3
Corpus Christi|TX|78401|361|3
Lexington|KY|40507|859|3
Stockton|CA|95202|209|3
Henderson|NV|89002|702|3
Saint Paul|MN|55102|651|3
St. Louis|MO|63101 63104|314|3
Cincinnati|OH|45202|513|3
Pittsburgh|PA|15222 15213|412|3
Greensboro|NC|27401|336|3
Anchorage|AK|99501|907|3
Plano|TX|75074|972|3
Lincoln|NE|68508|402|3
Orlando|FL|32801|407|3
Irvine|CA|92614|949|3
Newark|NJ|07102|973|3
Toledo|OH|43604|419|3
Durham|NC|27701|919|3
Chula Vista|CA|91910|619|3
Fort Wayne|IN|46802|260|3
Jersey City|NJ|07302|201|3
St. Petersburg|FL|33701|727|3
Laredo|TX|78040|956|3
Madison|WI|53703|608|3
Chandler|AZ|85225|480|3
Buffalo|NY|14202|716|3
Lubbock|TX|79401|806|3
Scottsdale|AZ|85251|480|2
Reno|NV|89501|775|3
Glendale|AZ|85301|623|2
Gilbert|AZ|85234|480|2
Winston-Salem|NC|27101|336|2
North Las Vegas|NV|89030|702|2
Norfolk|VA|23510|757|2
Chesapeake|VA|23320|757|2
Garland|TX|75040|972|2
Irving|TX|75061|972|2
Hialeah|FL|33010|305|2
Fremont|CA|94538|510|2
Boise|ID|83702|208|2
Richmond|VA|23219|804|2
Baton Rouge|LA|70802|225|2
Spokane|WA|99201|509|2
Des Moines|IA|50309|515|2
Tacoma|WA|98402|253|2
San Bernardino|CA|92401|909|2
Modesto|CA|95354|209|2
Fontana|CA|92335|909|2
Santa Clarita|CA|91355|661|2
Birmingham|AL|35203|205|2
Oxnard|CA|93030|805|2
Fayetteville|NC|28301|910|2
Moreno Valley|CA|92553|951|2
Rochester|NY|14604|585|2
Glendale|CA|91203|818|2
Huntington Beach|CA|92648|714|2
Salt Lake City|UT|84101 84102|801|2
Grand Rapids|MI|49503|616|2
Amarillo|TX|79101|806|2
Yonkers|NY|10701|914|2
Aurora|IL|60505|630|2
Montgomery|AL|36104|334|2
Akron|OH|44308|330|2
Little Rock|AR|72201|501|2
Huntsville|AL|35801|256|2
Augusta|GA|30901|706|2
Columbus|GA|31901|706|2
Grand Prairie|TX|75050|972|2
Shreveport|LA|71101|318|2
Overland Park|KS|66212|913|2
Tallahassee|FL|32301|850|2
Mobile|AL|36602|251|2
Knoxville|TN|37902|865|2
Worcester|MA|01608|508|2
Providence|RI|02903|401|2
Fort Lauderdale|FL|33301|954|2
Chattanooga|TN|37402|423|2
Tempe|AZ|85281|480|2
Oceanside|CA|92054|760|2
Garden Grove|CA|92840|714|2
Rancho Cucamonga|CA|91730|909|2
Cape Coral|FL|33904|239|2
Santa Rosa|CA|95404|707|2
Vancouver|WA|98660|360|2
Sioux Falls|SD|57104|605|2
Ontario|CA|91762|909|2
McKinney|TX|75069|972|2
Elk Grove|CA|95624|916|2
Jackson|MS|39201|601|2
Pembroke Pines|FL|33024|954|2
Salem|OR|97301|503|2
Springfield|MO|65806|417|2
Corona|CA|92882|951|2
Eugene|OR|97401|541|2
Fort Collins|CO|80524|970|2
Peoria|AZ|85345|623|2
Frisco|TX|75034|972|2
Cary|NC|27511|919|2
Lancaster|CA|93534|661|1
Hayward|CA|94541|510|1
Palmdale|CA|93550|661|1
Salinas|CA|93901|831|1
Alexandria|VA|22314|703|1
Lakewood|CO|80226|303|1
Springfield|MA|01103|413|1
Pasadena|CA|91101|626|1
Sunnyvale|CA|94086|408|1
Macon|GA|31201|478|1
Pomona|CA|91766|909|1
Hollywood|FL|33020|954|1
Kansas City|KS|66101|913|1
Escondido|CA|92025|760|1
Clarksville|TN|37040|931|1
Joliet|IL|60432|815|1
Rockford|IL|61101|815|1
Torrance|CA|90503|310|1
Naperville|IL|60540|630|1
Paterson|NJ|07505|973|1
Savannah|GA|31401|912|1
Bridgeport|CT|06604|203|1
Mesquite|TX|75149|972|1
Syracuse|NY|13202|315|1
McAllen|TX|78501|956|1
Killeen|TX|76541|254|1
Dayton|OH|45402|937|1
Hartford|CT|06103|860|1
New Haven|CT|06510|203|1
Stamford|CT|06901|203|1
Cambridge|MA|02139|617|1
Ann Arbor|MI|48104|734|1
Burlington|VT|05401|802|1
Portland|ME|04101|207|1
Manchester|NH|03101|603|1
Wilmington|DE|19801|302|1
Charleston|SC|29401|843|1
Columbia|SC|29201|803|1
Charleston|WV|25301|304|1
Fargo|ND|58102|701|1
Billings|MT|59101|406|1
Cheyenne|WY|82001|307|1
Bismarck|ND|58501|701|1
Rapid City|SD|57701|605|1
Missoula|MT|59801|406|1
Boulder|CO|80302|303|1
Santa Fe|NM|87501|505|1
Flagstaff|AZ|86001|928|1
Berkeley|CA|94704|510|1
Palo Alto|CA|94301|650|1
Santa Monica|CA|90401|310|1
Miami Beach|FL|33139|305|1
Springfield|IL|62701|217|1
Evanston|IL|60201|847|1
Bloomington|IN|47401|812|1
Iowa City|IA|52240|319|1
Cedar Rapids|IA|52401|319|1
Lansing|MI|48933|517|1
Albany|NY|12207|518|1
Trenton|NJ|08608|609|1
Harrisburg|PA|17101|717|1
Allentown|PA|18101|610|1
Erie|PA|16501|814|1
Scranton|PA|18503|570|1
Annapolis|MD|21401|410|1
Dover|DE|19901|302|1
Concord|NH|03301|603|1
Montpelier|VT|05602|802|1
Augusta|ME|04330|207|1
Juneau|AK|99801|907|1
Olympia|WA|98501|360|1
Bellevue|WA|98004|425|1
Everett|WA|98201|425|1
Carson City|NV|89701|775|1
Provo|UT|84601|801|1
Ogden|UT|84401|801|1
Pueblo|CO|81003|719|1
Topeka|KS|66603|785|1
Jefferson City|MO|65101|573|1
Columbia|MO|65201|573|1
Kalamazoo|MI|49007|269|1
Green Bay|WI|54301|920|1
Duluth|MN|55802|218|1
Rochester|MN|55902|507|1
Sioux City|IA|51101|712|1
Lafayette|LA|70501|337|1
Gainesville|FL|32601|352|1
Pensacola|FL|32502|850|1
Athens|GA|30601|706|1
Asheville|NC|28801|828|1
Greenville|SC|29601|864|1
Roanoke|VA|24011|540|1
Wilmington|NC|28401|910|1
Tuscaloosa|AL|35401|205|1
Biloxi|MS|39530|228|1
Waco|TX|76701|254|1
Galveston|TX|77550|409|1
Brownsville|TX|78520|956|1
Odessa|TX|79761|432|1
Midland|TX|79701|432|1
Abilene|TX|79601|325|1
Beaumont|TX|77701|409|1
Tyler|TX|75702|903|1
Santa Barbara|CA|93101|805|1
Monterey|CA|93940|831|1
Redding|CA|96001|530|1
Napa|CA|94559|707|1
Bend|OR|97701|541|1
Medford|OR|97501|541|1
Yakima|WA|98901|509|1
Idaho Falls|ID|83402|208|1
Great Falls|MT|59401|406|1
Casper|WY|82601|307|1
Las Cruces|NM|88001|575|1
Yuma|AZ|85364|928|1
Hilo|HI|96720|808|1
"""


def _parse_us() -> tuple[City, ...]:
    out: list[City] = []
    for line in _US.strip().splitlines():
        city, state, zips, area, weight = line.split("|")
        z = zips.split()
        for code in z:
            out.append(City(city, state, code, area, float(weight) / len(z)))
    return tuple(out)


US_CITIES: tuple[City, ...] = _parse_us()

US_STATE_NAMES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon",
    "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia",
    "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
}

# City spellings people use for the same place (rendered now and then).
CITY_ALIASES: dict[str, tuple[str, ...]] = {
    "Saint Paul": ("St. Paul", "St Paul"), "St. Louis": ("Saint Louis", "St Louis"),
    "St. Petersburg": ("Saint Petersburg", "St Petersburg"), "Fort Worth": ("Ft. Worth", "Ft Worth"),
    "Fort Lauderdale": ("Ft. Lauderdale", "Ft Lauderdale"), "Fort Wayne": ("Ft. Wayne",),
    "Fort Collins": ("Ft. Collins",), "New York": ("New York City", "NYC", "Manhattan"),
    "Winston-Salem": ("Winston Salem",), "Washington": ("Washington DC", "Washington D.C."),
    "Salt Lake City": ("Salt Lake",), "Las Vegas": ("Vegas",), "Mount Vernon": ("Mt Vernon",),
    "North Las Vegas": ("N Las Vegas",), "Philadelphia": ("Phila",),
}

STREET_NAMES: tuple[str, ...] = tuple("""
Main|Oak|Pine|Maple|Cedar|Elm|Washington|Lake|Hill|Park|Walnut|Spring|Ridge|Church|Willow|Mill
Sunset|Railroad|Jackson|Cherry|Highland|Meadow|Chestnut|Lincoln|Franklin|Jefferson|Madison
Adams|Center|Forest|River|Valley|Lakeview|Hickory|Dogwood|Birch|Spruce|Magnolia|Sycamore
Poplar|Laurel|Holly|Aspen|Juniper|Cypress|Evergreen|Hillcrest|Woodland|Fairview|Prospect
Pleasant|Liberty|Union|Broad|Market|High|Water|Front|Second|Third|Fourth|Fifth|Sixth
Seventh|Eighth|King|Queen|School|College|Academy|Bridge|Canal|Harbor|Bay|Ocean|Beach
Shore|Lakeshore|Rosewood|Briarwood|Greenwood|Cottonwood|Peachtree|Orchard|Vine|Grove
Heritage|Colonial|Country Club|Mountain View|Sunrise|Skyline|Kingston|Cambridge|Oxford
Windsor|Stratford|Wellington|Hamilton|Monroe|Martin Luther King Jr|Cesar Chavez|Mission
Santa Fe|Glenwood|Riverside|Sheridan|Belmont|Clinton|Garfield|Grant|Sherman|Olive|Elmwood
""".replace("\n", "|").strip("|").split("|"))

# canonical suffix -> abbreviations seen in the wild; weight
STREET_SUFFIXES: tuple[tuple[str, tuple[str, ...], float], ...] = (
    ("Street", ("St", "St."), 30), ("Avenue", ("Ave", "Ave.", "Av"), 20), ("Road", ("Rd", "Rd."), 12),
    ("Drive", ("Dr", "Dr."), 12), ("Lane", ("Ln", "Ln."), 7), ("Boulevard", ("Blvd", "Blvd."), 5),
    ("Court", ("Ct", "Ct."), 5), ("Place", ("Pl", "Pl."), 3), ("Way", ("Way",), 3),
    ("Circle", ("Cir", "Cir."), 2), ("Terrace", ("Ter", "Terr"), 1), ("Parkway", ("Pkwy", "Pky"), 1),
    ("Trail", ("Trl",), 1), ("Highway", ("Hwy",), 1),
)

DIRECTIONS: tuple[tuple[str, str], ...] = (
    ("North", "N"), ("South", "S"), ("East", "E"), ("West", "W"),
    ("Northeast", "NE"), ("Northwest", "NW"), ("Southeast", "SE"), ("Southwest", "SW"),
)

# canonical (USPS) unit designator -> variants people write; weight
UNIT_TYPES: tuple[tuple[str, tuple[str, ...], float], ...] = (
    ("Apt", ("Apt.", "Apartment", "#", "APT"), 60), ("Unit", ("Unit #", "#", "Un"), 15),
    ("Ste", ("Suite", "Ste.", "#"), 15), ("Fl", ("Floor", "Flr"), 3), ("Rm", ("Room",), 2),
)

# ---------------------------------------------------------------- foreign addresses

# GB: city, postcode outward codes, county, dialling area code
GB_CITIES: tuple[tuple[str, tuple[str, ...], str, str], ...] = (
    ("London", ("SW1A", "EC1A", "N1", "E2", "SE1", "W2", "NW3", "SW11", "E14"), "Greater London", "20"),
    ("Manchester", ("M1", "M4", "M14", "M20"), "Greater Manchester", "161"),
    ("Birmingham", ("B1", "B5", "B15", "B29"), "West Midlands", "121"),
    ("Leeds", ("LS1", "LS6", "LS17"), "West Yorkshire", "113"),
    ("Glasgow", ("G1", "G12", "G41"), "", "141"), ("Edinburgh", ("EH1", "EH3", "EH10"), "", "131"),
    ("Bristol", ("BS1", "BS6", "BS8"), "", "117"), ("Liverpool", ("L1", "L8", "L18"), "Merseyside", "151"),
    ("Cardiff", ("CF10", "CF24"), "", "29"), ("Oxford", ("OX1", "OX4"), "Oxfordshire", "1865"),
)
GB_STREETS: tuple[str, ...] = (
    "High Street", "Station Road", "Church Lane", "Victoria Road", "Green Lane", "Manor Road",
    "Park Avenue", "Queens Road", "The Crescent", "Mill Lane", "Kings Road", "Baker Street",
    "Elm Grove", "Albert Road", "York Road", "London Road", "Windsor Close", "Orchard Gardens",
)

# DE: city, postcode range, Land code, dialling area code
DE_CITIES: tuple[tuple[str, int, int, str, str], ...] = (
    ("Berlin", 10115, 14199, "BE", "30"), ("München", 80331, 81929, "BY", "89"),
    ("Hamburg", 20095, 22769, "HH", "40"), ("Köln", 50667, 51149, "NW", "221"),
    ("Frankfurt am Main", 60306, 60599, "HE", "69"), ("Stuttgart", 70173, 70629, "BW", "711"),
    ("Düsseldorf", 40210, 40629, "NW", "211"), ("Leipzig", 4103, 4357, "SN", "341"),
)
DE_STREETS: tuple[str, ...] = (
    "Hauptstraße", "Bahnhofstraße", "Schulstraße", "Gartenstraße", "Dorfstraße", "Bergstraße",
    "Lindenstraße", "Goethestraße", "Schillerstraße", "Kirchweg", "Am Markt", "Waldweg",
    "Friedrichstraße", "Mozartstraße", "Ringstraße", "Rosenweg", "Münchener Straße", "Königsallee",
)

# CA: city, province, forward sortation areas, area code
CA_CITIES: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("Toronto", "ON", ("M4B", "M5V", "M6G", "M4E"), "416"), ("Vancouver", "BC", ("V5K", "V6B", "V6Z"), "604"),
    ("Montréal", "QC", ("H2X", "H3A", "H4A"), "514"), ("Calgary", "AB", ("T2P", "T2S", "T3A"), "403"),
    ("Ottawa", "ON", ("K1P", "K1S", "K2P"), "613"), ("Edmonton", "AB", ("T5J", "T6E"), "780"),
    ("Winnipeg", "MB", ("R3C", "R3M"), "204"), ("Halifax", "NS", ("B3H", "B3K"), "902"),
)

# CN: city pinyin, province pinyin, postcode prefix, hanzi city, dialling code,
# resident-ID region code
CN_CITIES: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("Beijing", "Beijing", "100", "北京市", "10", "110105"),
    ("Shanghai", "Shanghai", "200", "上海市", "21", "310115"),
    ("Guangzhou", "Guangdong", "510", "广州市", "20", "440106"),
    ("Shenzhen", "Guangdong", "518", "深圳市", "755", "440305"),
    ("Chengdu", "Sichuan", "610", "成都市", "28", "510107"),
    ("Hangzhou", "Zhejiang", "310", "杭州市", "571", "330106"),
    ("Wuhan", "Hubei", "430", "武汉市", "27", "420106"),
    ("Nanjing", "Jiangsu", "210", "南京市", "25", "320106"),
)
CN_DISTRICTS: tuple[tuple[str, str], ...] = (
    ("Chaoyang", "朝阳区"), ("Haidian", "海淀区"), ("Pudong", "浦东新区"), ("Tianhe", "天河区"),
    ("Nanshan", "南山区"), ("Wuhou", "武侯区"), ("Xihu", "西湖区"), ("Jiangbei", "江北区"),
)
CN_ROADS: tuple[tuple[str, str], ...] = (
    ("Jianguo Road", "建国路"), ("Renmin Road", "人民路"), ("Zhongshan Road", "中山路"),
    ("Jiefang Road", "解放路"), ("Heping Street", "和平街"), ("Xinhua Road", "新华路"),
    ("Changjiang Road", "长江路"), ("Huaihai Road", "淮海路"), ("Wenhua Road", "文化路"),
)

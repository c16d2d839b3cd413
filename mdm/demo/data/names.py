"""Person name lists of varied origins, roughly in descending frequency."""

from __future__ import annotations


def _words(text: str) -> tuple[str, ...]:
    return tuple(w.replace("_", " ") for w in text.split())


# US given names (mixed origins as found in a US customer base), most common first.
MALE_FIRST = _words("""
James Robert John Michael David William Richard Joseph Thomas Christopher Charles Daniel
Matthew Anthony Mark Donald Steven Andrew Paul Joshua Kenneth Kevin Brian George Timothy
Ronald Jason Edward Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan Stephen Larry Justin
Scott Brandon Benjamin Samuel Gregory Alexander Patrick Frank Raymond Jack Dennis Jerry
Tyler Aaron Henry Douglas Peter Adam Nathan Zachary Walter Kyle Harold Carl Jeremy Gerald
Keith Roger Arthur Terry Lawrence Sean Christian Ethan Austin Joe Albert Jesse Willie
Billy Bryan Bruce Noah Jordan Dylan Ralph Roy Alan Wayne Eugene Juan Gabriel Louis Russell
Randy Vincent Philip Logan Bobby Harry Johnny Howard Victor Martin Ernest Phillip Craig
Stanley Shawn Travis Bradley Leonard Earl Dale Frederick Mitchell Theodore Francis Calvin
Derek Curtis Lee Clifford Jerome Maurice Marcus Dominic Marvin Abraham Mohammed Ahmed Omar
Rahul Arjun Vikram Sanjay Raj Hiroshi Kenji Minh Duc Hoang Jun Sung Tuan Emeka Chinedu Kwame
Tariq Yusuf Ali Hassan Ivan Dmitri Sergei Pavel Andrei Nikolai Stefan Luca Marco Giovanni
Matteo Pierre Luc Sven Lars Anders Finn Liam Oliver Elijah Lucas Mason Aiden
Caleb Isaac Owen Connor Hunter Wyatt Julian Levi Isaiah Landon Cameron Xavier Malik Darnell
Jamal Terrence DeShawn Tyrone Reginald Cedric Desmond Quentin
""")

FEMALE_FIRST = _words("""
Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy Betty
Margaret Sandra Ashley Kimberly Emily Donna Michelle Carol Amanda Dorothy Melissa Deborah
Stephanie Rebecca Sharon Laura Cynthia Kathleen Amy Angela Shirley Anna Brenda Pamela Emma
Nicole Helen Samantha Katherine Christine Debra Rachel Carolyn Janet Catherine Maria Heather
Diane Ruth Julie Olivia Joyce Virginia Victoria Kelly Lauren Christina Joan Evelyn Judith
Megan Andrea Cheryl Hannah Jacqueline Martha Gloria Teresa Ann Sara Madison Frances Kathryn
Janice Jean Abigail Alice Judy Sophia Grace Denise Amber Doris Marilyn Danielle Beverly
Isabella Theresa Diana Natalie Brittany Charlotte Marie Kayla Alexis Lori Tiffany Valerie
Cassandra Eleanor Josephine Gabrielle Madeline Caroline Allison Jill Vanessa Priscilla
Roberta Alexandra Harriet Lorraine Rosemary Wendy Yvonne Colleen Bernadette Constance
Priya Anjali Deepa Sunita Aisha Fatima Leila Yasmin Noor Mei Yuki Keiko Hana Linh Thu Mai
Ngozi Amara Chioma Adaeze Olga Natasha Svetlana Irina Katya Giulia Francesca Chiara Sofia
Elena Ingrid Astrid Freya Camille Amelie Chloe Ava Mia Harper Aria Scarlett Layla Zoe Nora
Lily Hazel Aurora Savannah Audrey Brooklyn Stella Lucy Paisley Skylar Naomi Ruby Keisha
Latoya Tamika Ebony Shanice Monique Jasmine Imani Aaliyah
""")

HISPANIC_MALE_FIRST = _words("""
José Juan Luis Carlos Jorge Miguel Jesús Antonio Alejandro Francisco Manuel Pedro Ricardo
Fernando Roberto Javier Eduardo Raúl Sergio Andrés Diego Rafael Mario Víctor Héctor Óscar
Arturo Enrique Alberto Gustavo Ramón Ernesto Guillermo Rubén Julio Santiago Mateo Joaquín
""")

HISPANIC_FEMALE_FIRST = _words("""
María Guadalupe Ana Rosa Carmen Juana Verónica Gabriela Adriana Alejandra Patricia Leticia
Claudia Daniela Mónica Lucía Sofía Valentina Isabel Elena Yolanda Silvia Beatriz Marisol
Raquel Paola Lorena Natalia Camila Ximena Esperanza Dolores Inés Josefina Teresa
""")

GERMAN_MALE_FIRST = _words("""
Thomas Michael Andreas Stefan Jürgen Klaus Wolfgang Peter Uwe Frank Jörg Matthias Dieter
Günter Björn Sören Lukas Maximilian Tobias Florian Sebastian Helmut Hans Karl-Heinz
""")

GERMAN_FEMALE_FIRST = _words("""
Ursula Sabine Petra Monika Andrea Claudia Susanne Birgit Katharina Julia Anja Nicole Jutta
Gisela Käthe Brigitte Renate Heike Sandra Lena Annika Lea Hannelore Doris
""")

# (pinyin, hanzi, gender)  given names of persons of Chinese origin
CHINESE_GIVEN: tuple[tuple[str, str, str], ...] = (
    ("Wei", "伟", "M"), ("Fang", "芳", "F"), ("Xiuying", "秀英", "F"), ("Na", "娜", "F"),
    ("Min", "敏", "F"), ("Jing", "静", "F"), ("Li", "丽", "F"), ("Qiang", "强", "M"),
    ("Lei", "磊", "M"), ("Jun", "军", "M"), ("Yang", "洋", "M"), ("Yong", "勇", "M"),
    ("Yan", "艳", "F"), ("Jie", "杰", "M"), ("Juan", "娟", "F"), ("Tao", "涛", "M"),
    ("Ming", "明", "M"), ("Chao", "超", "M"), ("Xia", "霞", "F"), ("Ping", "平", "F"),
    ("Gang", "刚", "M"), ("Hui", "慧", "F"), ("Hong", "红", "F"), ("Hao", "浩", "M"),
    ("Yu", "宇", "M"), ("Xin", "欣", "F"), ("Lin", "琳", "F"), ("Ting", "婷", "F"),
    ("Hua", "华", "M"), ("Jian", "建", "M"), ("Bin", "斌", "M"), ("Kai", "凯", "M"),
    ("Peng", "鹏", "M"), ("Dan", "丹", "F"), ("Ling", "玲", "F"), ("Yun", "云", "F"),
    ("Xiaoming", "小明", "M"), ("Zhiwei", "志伟", "M"), ("Jianguo", "建国", "M"),
    ("Haiyan", "海燕", "F"), ("Xiaohong", "晓红", "F"), ("Guoqiang", "国强", "M"),
    ("Lihua", "丽华", "F"), ("Yifan", "一帆", "M"), ("Zihan", "子涵", "F"), ("Yuxuan", "宇轩", "M"),
    ("Haoran", "浩然", "M"), ("Xinyi", "欣怡", "F"), ("Shuang", "爽", "F"), ("Jiahui", "佳慧", "F"),
    ("Junjie", "俊杰", "M"), ("Meiling", "美玲", "F"), ("Wenjun", "文军", "M"), ("Xiaoli", "晓丽", "F"),
    ("Zhenyu", "振宇", "M"), ("Yuqing", "雨晴", "F"), ("Chenxi", "晨曦", "F"), ("Mingyu", "明宇", "M"),
    ("Hongwei", "宏伟", "M"), ("Shu", "淑", "F"),
)

# (pinyin, cantonese romanisation, hanzi) family names of persons of Chinese origin
CHINESE_SURNAMES: tuple[tuple[str, str, str], ...] = (
    ("Wang", "Wong", "王"), ("Li", "Lee", "李"), ("Zhang", "Cheung", "张"), ("Liu", "Lau", "刘"),
    ("Chen", "Chan", "陈"), ("Yang", "Yeung", "杨"), ("Huang", "Wong", "黄"), ("Zhao", "Chiu", "赵"),
    ("Wu", "Ng", "吴"), ("Zhou", "Chow", "周"), ("Xu", "Tsui", "徐"), ("Sun", "Suen", "孙"),
    ("Ma", "Ma", "马"), ("Zhu", "Chu", "朱"), ("Hu", "Woo", "胡"), ("Guo", "Kwok", "郭"),
    ("He", "Ho", "何"), ("Lin", "Lam", "林"), ("Gao", "Ko", "高"), ("Luo", "Law", "罗"),
    ("Zheng", "Cheng", "郑"), ("Liang", "Leung", "梁"), ("Xie", "Tse", "谢"), ("Song", "Sung", "宋"),
    ("Tang", "Tong", "唐"), ("Han", "Hon", "韩"), ("Feng", "Fung", "冯"), ("Deng", "Tang", "邓"),
    ("Cao", "Tso", "曹"), ("Peng", "Pang", "彭"), ("Zeng", "Tsang", "曾"), ("Xiao", "Siu", "肖"),
    ("Tian", "Tin", "田"), ("Dong", "Tung", "董"), ("Pan", "Poon", "潘"), ("Yuan", "Yuen", "袁"),
    ("Cai", "Choi", "蔡"), ("Jiang", "Chiang", "蒋"), ("Yu", "Yu", "余"), ("Du", "To", "杜"),
    ("Ye", "Yip", "叶"), ("Cheng", "Ching", "程"), ("Wei", "Ngai", "魏"), ("Su", "So", "苏"),
    ("Lu", "Lo", "卢"), ("Ding", "Ting", "丁"), ("Shen", "Sham", "沈"), ("Ren", "Yam", "任"),
    ("Yao", "Yiu", "姚"), ("Fang", "Fong", "方"), ("Mo", "Mok", "莫"), ("Kong", "Hung", "孔"),
)

# General US surnames of varied origins (Anglo, Irish, Italian, German, Polish, Jewish,
# Indian, Vietnamese, Korean, Japanese, Arabic, African, Dutch, French, Nordic, Greek),
# plus hyphenated and apostrophe forms.
SURNAMES = _words("""
Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore Jackson
Martin Lee Thompson White Harris Clark Lewis Robinson Walker Young Allen King Wright Scott
Hill Green Adams Nelson Baker Hall Campbell Mitchell Carter Roberts Phillips Evans Turner
Parker Collins Edwards Stewart Morris Murphy Cook Rogers Morgan Cooper Peterson Bailey Reed
Kelly Howard Cox Ward Richardson Watson Brooks Wood James Bennett Gray Hughes Price Sanders
Myers Long Ross Foster Powell Jenkins Perry Russell Sullivan Bell Coleman Butler Henderson
Barnes Fisher Simmons Patterson Jordan Reynolds Hamilton Graham Wallace West Cole Hayes
Bryant Gibson Ellis Stevens Murray Ford Marshall Owens McDonald Harrison Kennedy Wells
Alexander Tucker Porter Hunter Hicks Crawford Henry Boyd Mason Warren Dixon Burns Gordon
Shaw Holmes Rice Robertson Hunt Black Daniels Palmer Mills Nichols Grant Knight Ferguson
Stone Hawkins Dunn Perkins Hudson Spencer Stephens Pierce Lawrence Webb Olson Carroll Duncan
Snyder Hart Cunningham Bradley Lane Andrews Harper Fox Riley Armstrong Carpenter Weaver
Greene Lawson Elliott Sims Austin Peters Kelley Franklin Fields Tyler Dean Gilbert
O'Brien O'Connor O'Neil O'Reilly O'Sullivan O'Donnell McCarthy McLaughlin McKenzie MacDonald
Fitzgerald Fitzpatrick Gallagher Doyle Byrne Walsh Quinn Brennan Keane Donovan Flanagan
Rossi Russo Esposito Romano Bianchi Colombo Ricci Marino Greco Bruno Gallo Conti DeLuca
Mancini Costa Giordano Moretti Lombardi Barbieri DiMaggio LaRosa Santoro Caruso
Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffman Koch Richter Klein Wolf
Schroeder Neumann Zimmerman Braun Hartmann Krause Lehmann Krueger Vogel Friedrich
Kowalski Nowak Wisniewski Wojcik Kowalczyk Kaminski Lewandowski Zielinski Szymanski Dabrowski
Cohen Levy Goldberg Shapiro Friedman Katz Kaplan Rosenberg Weiss Stein Silverman Greenberg
Patel Shah Singh Kumar Gupta Sharma Reddy Iyer Nair Mehta Desai Joshi Rao Chopra Agarwal
Nguyen Tran Le Pham Huynh Hoang Phan Vu Vo Dang Bui Do
Kim Park Choi Jung Kang Cho Yoon Jang Lim Shin
Tanaka Yamamoto Sato Suzuki Nakamura Watanabe Ito Kobayashi Takahashi Yamada
Khan Ali Hassan Haddad Rahman Hussein Ibrahim Mansour Saleh Nasser Farah Abdi Aziz
Okafor Adeyemi Okonkwo Mensah Owusu Nwosu Abubakar Diallo Kamau Mwangi
Van_Dyke de_Vries Van_der_Berg VanHouten DeWitt Vandenberg Jansen Bakker Visser
Dubois LaFleur Thibodeaux Boudreaux Fontaine Lefebvre Gauthier Beaulieu
Johansson Larsen Nielsen Andersen Eriksson Lindqvist Berg Olsen Hansen Petersen
Papadopoulos Georgiou Nikolaidis Ivanov Petrov Smirnov Novak Horvat Kovacs Nagy
Smith-Jones Johnson-Wright Taylor-Brown Clarke-Hughes Lopez-Martin Morgan-Davies
Baker-Finch Hill-Wood Kaur-Singh Lewis-Evans
St._John St._Clair Vaughn Fleming Barrett Holland Bishop Chambers Hopkins Lambert Schultz
Norris Burke Lynch Cannon Chandler Fletcher Wheeler Hampton Harmon Ramsey Rhodes Saunders
Sherman Stanley Steele Sutton Wade Walters Whitaker Winters Woodward Yates Beck Booth
""")

HISPANIC_SURNAMES = _words("""
García Rodríguez Martínez Hernández López González Pérez Sánchez Ramírez Torres Flores
Rivera Gómez Díaz Reyes Morales Cruz Ortiz Gutiérrez Chávez Ramos Ruiz Álvarez Mendoza
Castillo Jiménez Vásquez Romero Herrera Medina Aguilar Vargas Guzmán Castro Muñoz Domínguez
Salazar Rojas Delgado Peña Fernández Vega Soto Contreras Guerrero Ríos Estrada Navarro
Mejía Campos Ibarra Fuentes Cervantes Maldonado Sandoval Núñez Cabrera Acosta Ochoa
""")

GERMAN_SURNAMES = _words("""
Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch
Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann
Lange Schmitt Werner Schmitz Krause Meier Köhler Weiß Groß Jäger Vogel Fuchs Möller Keller
""")

# Common everyday nicknames (the forms people actually type on a web form or that a
# clerk writes down).  Keys must be in the first-name lists above.
NICKNAMES: dict[str, tuple[str, ...]] = {
    "Robert": ("Bob", "Rob", "Bobby"), "William": ("Bill", "Will", "Billy"),
    "James": ("Jim", "Jimmy", "Jamie"), "John": ("Jack", "Johnny"), "Michael": ("Mike", "Mikey"),
    "Richard": ("Rick", "Rich", "Dick"), "Thomas": ("Tom", "Tommy"), "Charles": ("Charlie", "Chuck"),
    "Joseph": ("Joe", "Joey"), "Christopher": ("Chris",), "Daniel": ("Dan", "Danny"),
    "Matthew": ("Matt",), "Anthony": ("Tony",), "Steven": ("Steve",), "Stephen": ("Steve",),
    "Andrew": ("Andy", "Drew"), "Joshua": ("Josh",), "Kenneth": ("Ken", "Kenny"),
    "Edward": ("Ed", "Eddie", "Ted"), "Ronald": ("Ron", "Ronnie"), "Timothy": ("Tim",),
    "Jeffrey": ("Jeff",), "Gregory": ("Greg",), "Benjamin": ("Ben",), "Samuel": ("Sam",),
    "Patrick": ("Pat",), "Alexander": ("Alex",), "Jonathan": ("Jon",), "Nicholas": ("Nick",),
    "Raymond": ("Ray",), "Gerald": ("Jerry",), "Lawrence": ("Larry",), "Douglas": ("Doug",),
    "Peter": ("Pete",), "Frederick": ("Fred",), "Albert": ("Al", "Bert"), "Theodore": ("Ted", "Teddy"),
    "Zachary": ("Zach",), "Nathan": ("Nate",), "Donald": ("Don",), "Francis": ("Frank",),
    "Eugene": ("Gene",), "Leonard": ("Leo", "Len"), "Phillip": ("Phil",), "Philip": ("Phil",),
    "Vincent": ("Vince",), "Jacob": ("Jake",), "Walter": ("Walt",), "Harold": ("Hal",),
    "Henry": ("Hank", "Harry"), "Abraham": ("Abe",), "Bradley": ("Brad",), "Mitchell": ("Mitch",),
    "Gabriel": ("Gabe",), "Calvin": ("Cal",), "Terrence": ("Terry",), "Russell": ("Russ",),
    "Ernest": ("Ernie",), "Stanley": ("Stan",), "Clifford": ("Cliff",), "Jerome": ("Jerry",),
    "Dominic": ("Dom",), "Dennis": ("Denny",), "Marvin": ("Marv",),
    "Elizabeth": ("Liz", "Beth", "Betty", "Lizzie"), "Margaret": ("Maggie", "Peggy", "Meg"),
    "Katherine": ("Kate", "Kathy", "Katie"), "Catherine": ("Cathy", "Kate"),
    "Kathryn": ("Kate", "Katie"), "Jennifer": ("Jen", "Jenny"), "Patricia": ("Pat", "Patty", "Trish"),
    "Susan": ("Sue", "Susie"), "Deborah": ("Deb", "Debbie"), "Debra": ("Deb", "Debbie"),
    "Rebecca": ("Becky", "Becca"), "Jessica": ("Jess",), "Samantha": ("Sam", "Sammy"),
    "Victoria": ("Vicky", "Tori"), "Christine": ("Chris", "Chrissy"), "Christina": ("Tina", "Chris"),
    "Kimberly": ("Kim",), "Cynthia": ("Cindy",), "Pamela": ("Pam",), "Barbara": ("Barb", "Barbie"),
    "Dorothy": ("Dot", "Dottie"), "Abigail": ("Abby",), "Alexandra": ("Alex", "Lexi"),
    "Judith": ("Judy",), "Theresa": ("Terry", "Tess"), "Teresa": ("Terry",),
    "Melissa": ("Mel", "Missy"), "Stephanie": ("Steph",), "Kathleen": ("Kathy", "Kate"),
    "Sandra": ("Sandy",), "Frances": ("Fran",), "Josephine": ("Josie", "Jo"),
    "Jacqueline": ("Jackie",), "Madeline": ("Maddie",), "Eleanor": ("Ellie", "Nell"),
    "Cassandra": ("Cassie",), "Valerie": ("Val",), "Gabrielle": ("Gabby",), "Natalie": ("Nat",),
    "Amanda": ("Mandy",), "Angela": ("Angie",), "Caroline": ("Carrie",), "Allison": ("Ally",),
    "Virginia": ("Ginny",), "Beverly": ("Bev",), "Roberta": ("Bobbie",), "Lorraine": ("Lori",),
    "Bernadette": ("Bernie",), "Constance": ("Connie",), "Harriet": ("Hattie",),
    "Rosemary": ("Rose",), "Evelyn": ("Evie",), "Martha": ("Marty",), "Carolyn": ("Carol",),
    "Priscilla": ("Cilla",), "Isabella": ("Bella", "Izzy"), "Charlotte": ("Charlie",),
    "Francisco": ("Paco", "Pancho"), "José": ("Pepe",), "Guadalupe": ("Lupe",),
    "Alejandro": ("Alex",), "Eduardo": ("Eddie", "Lalo"), "Roberto": ("Beto",),
    "Alberto": ("Beto",), "Enrique": ("Kike",), "Guillermo": ("Memo", "Willy"),
    "Dolores": ("Lola",), "Josefina": ("Pepa",), "Jesús": ("Chuy",), "Ramón": ("Moncho",),
    "Maximilian": ("Max",), "Matthias": ("Matze",), "Katharina": ("Kathi",),
}

"""Reference data for Chinese names and addresses: surnames (Han and pinyin) and the
provincial- and prefecture-level divisions.

``SURNAMES`` maps the common Chinese surnames, simplified and traditional forms, to their
pinyin *as a surname*: several read differently in a name than pypinyin's default reading
(曾 zeng not ceng, 单 shan not dan, 解 xie, 区 ou, 仇 qiu, 朴 piao, 查 zha, 乐 yue, 盖 ge,
缪 miao, 覃 qin, 翟 zhai). About 200 single-character surnames (those borne by well over
nine in ten people in China) and the two-character compound ones.

Divisions: the 34 provincial-level units with their short forms, and the prefecture-level
cities, prefectures and leagues, by their names in the Ministry of Civil Affairs' list of
administrative division codes (GB/T 2260; the prefecture-level entries as packaged in the
``cpca`` project's adcodes table, MIT). Names only: matching needs to know where the
province and city of an address end, not their codes.
"""

from __future__ import annotations

from mdm.refdata import words


def _pairs(text: str) -> dict[str, str]:
    """``"王 wang 李 li"`` -> ``{"王": "wang", "李": "li"}``."""
    items = text.split()
    return dict(zip(items[::2], items[1::2], strict=True))


SURNAMES: dict[str, str] = _pairs(
    # the most common, roughly in order of frequency
    "王 wang 李 li 张 zhang 刘 liu 陈 chen 杨 yang 黄 huang 赵 zhao 吴 wu 周 zhou 徐 xu 孙 sun 马 ma "
    "朱 zhu 胡 hu 郭 guo 何 he 林 lin 高 gao 罗 luo 郑 zheng 梁 liang 谢 xie 宋 song 唐 tang 许 xu "
    "韩 han 邓 deng 冯 feng 曹 cao 彭 peng 曾 zeng 肖 xiao 田 tian 董 dong 潘 pan 袁 yuan 蔡 cai "
    "蒋 jiang 余 yu 于 yu 杜 du 叶 ye 程 cheng 魏 wei 苏 su 吕 lu 丁 ding 任 ren 卢 lu 姚 yao "
    "沈 shen 钟 zhong 姜 jiang 崔 cui 谭 tan 陆 lu 范 fan 汪 wang 廖 liao 石 shi 金 jin 韦 wei "
    "贾 jia 夏 xia 付 fu 傅 fu 方 fang 邹 zou 熊 xiong 白 bai 孟 meng 秦 qin 邱 qiu 侯 hou 江 jiang "
    "尹 yin 薛 xue 闫 yan 阎 yan 段 duan 雷 lei 龙 long 黎 li 史 shi 陶 tao 贺 he 毛 mao 郝 hao "
    "顾 gu 龚 gong 邵 shao 万 wan 覃 qin 武 wu 钱 qian 戴 dai 严 yan 莫 mo 孔 kong 向 xiang 常 chang "
    "汤 tang 康 kang 易 yi 乔 qiao 赖 lai 文 wen 施 shi 洪 hong 辛 xin 柴 chai 殷 yin 庞 pang 牛 niu "
    "葛 ge 祝 zhu 邢 xing 温 wen 安 an 左 zuo 樊 fan 纪 ji 褚 chu 卫 wei 沙 sha 甘 gan 岳 yue 齐 qi "
    "梅 mei 聂 nie 章 zhang 鲁 lu 倪 ni 包 bao 俞 yu 欧 ou 霍 huo 关 guan 项 xiang 骆 luo 谷 gu "
    "宁 ning 宫 gong 路 lu 鲍 bao 凌 ling 麦 mai 阮 ruan 苗 miao 詹 zhan 芦 lu 卜 bu 柯 ke 童 tong "
    "焦 jiao 蓝 lan 桂 gui 巫 wu 颜 yan 申 shen 屈 qu 管 guan 涂 tu 房 fang 滕 teng 饶 rao 游 you "
    "娄 lou 吉 ji 时 shi 裴 pei 景 jing 丘 qiu 晏 yan 连 lian 隋 sui 蒲 pu 柏 bai 邬 wu 冉 ran 穆 mu "
    "占 zhan 奚 xi 冷 leng 靳 jin 耿 geng 翁 weng 庄 zhuang 卓 zhuo 尚 shang 刁 diao 荣 rong 窦 dou "
    "舒 shu 牟 mou 佟 tong 符 fu 虞 yu 宗 zong 花 hua 郎 lang 艾 ai 阳 yang 闵 min 蒙 meng 祁 qi "
    "曲 qu 喻 yu 车 che 华 hua 明 ming 成 cheng 毕 bi 邝 kuang 伍 wu 甄 zhen 戚 qi 邸 di 谈 tan "
    "季 ji 米 mi 贝 bei 黑 he 练 lian 达 da 党 dang 强 qiang 幸 xing 池 chi "
    # surnames pypinyin reads otherwise out of a name
    "单 shan 解 xie 区 ou 仇 qiu 朴 piao 查 zha 乐 yue 盖 ge 缪 miao 翟 zhai 秘 bi 员 yun 召 shao "
    "繁 po 句 gou 种 chong 能 nai 尉 yu "
    # traditional forms
    "陳 chen 張 zhang 劉 liu 楊 yang 黃 huang 趙 zhao 吳 wu 孫 sun 馬 ma 鄭 zheng 謝 xie 許 xu 韓 han "
    "鄧 deng 馮 feng 蕭 xiao 葉 ye 蘇 su 呂 lu 盧 lu 鍾 zhong 譚 tan 陸 lu 賈 jia 鄒 zou 龍 long "
    "賀 he 顧 gu 龔 gong 萬 wan 錢 qian 嚴 yan 湯 tang 賴 lai 莊 zhuang 區 ou 歐 ou 關 guan 羅 luo "
    "蔣 jiang 魯 lu 鄔 wu 單 shan 樂 yue 齊 qi 聶 nie 鮑 bao 駱 luo 藍 lan 饒 rao 婁 lou 寧 ning "
    "顏 yan 衛 wei 紀 ji 車 che 華 hua 龐 pang 溫 wen 鄺 kuang 閻 yan "
    # compound surnames
    "欧阳 ouyang 歐陽 ouyang 司马 sima 司馬 sima 诸葛 zhuge 諸葛 zhuge 上官 shangguan 东方 dongfang "
    "東方 dongfang 皇甫 huangfu 尉迟 yuchi 尉遲 yuchi 公孙 gongsun 公孫 gongsun 慕容 murong "
    "令狐 linghu 长孙 zhangsun 長孫 zhangsun 宇文 yuwen 司徒 situ 夏侯 xiahou 轩辕 xuanyuan "
    "軒轅 xuanyuan 端木 duanmu 独孤 dugu 獨孤 dugu 南宫 nangong 南宮 nangong 西门 ximen 西門 ximen "
    "呼延 huyan 澹台 tantai 拓跋 tuoba 申屠 shentu 闻人 wenren 聞人 wenren 万俟 moqi 單于 chanyu "
    "单于 chanyu 司空 sikong 钟离 zhongli 鍾離 zhongli 百里 baili 东郭 dongguo 濮阳 puyang "
    "太史 taishi 公冶 gongye 赫连 helian 赫連 helian"
)

COMPOUND_SURNAMES: frozenset[str] = frozenset(s for s in SURNAMES if len(s) == 2)

PINYIN_SURNAMES: frozenset[str] = frozenset(SURNAMES.values()) | words("lv lyu")
"""Every surname above in toneless pinyin, lower case (吕 is written lu, lv or lyu)."""

CHINESE_REGIONS: frozenset[str] = words("CN TW HK MO SG")
"""Where a Latin name whose first token is a Chinese surname is read family name first."""

PROVINCES: dict[str, str] = _pairs(
    "北京市 北京 天津市 天津 上海市 上海 重庆市 重庆 河北省 河北 山西省 山西 辽宁省 辽宁 吉林省 吉林 "
    "黑龙江省 黑龙江 江苏省 江苏 浙江省 浙江 安徽省 安徽 福建省 福建 江西省 江西 山东省 山东 "
    "河南省 河南 湖北省 湖北 湖南省 湖南 广东省 广东 海南省 海南 四川省 四川 贵州省 贵州 云南省 云南 "
    "陕西省 陕西 甘肃省 甘肃 青海省 青海 台湾省 台湾 内蒙古自治区 内蒙古 广西壮族自治区 广西 "
    "西藏自治区 西藏 宁夏回族自治区 宁夏 新疆维吾尔自治区 新疆 香港特别行政区 香港 澳门特别行政区 澳门"
)
"""Provincial-level units: full name -> short name."""

MUNICIPALITIES: frozenset[str] = words("北京 天津 上海 重庆 香港 澳门")
"""Provincial-level units that are cities themselves: no prefecture-level city follows them."""

PREFECTURES: frozenset[str] = words(
    "七台河市 三亚市 三明市 三沙市 三门峡市 上饶市 东莞市 东营市 中卫市 中山市 临夏回族自治州 "
    "临汾市 临沂市 临沧市 丹东市 丽水市 丽江市 乌兰察布市 乌海市 乌鲁木齐市 乐山市 九江市 "
    "云浮市 亳州市 伊春市 伊犁哈萨克自治州 佛山市 佳木斯市 保定市 保山市 信阳市 儋州市 "
    "克孜勒苏柯尔克孜自治州 克拉玛依市 六安市 六盘水市 兰州市 兴安盟 内江市 凉山彝族自治州 包头市 "
    "北海市 十堰市 南京市 南充市 南宁市 南平市 南昌市 南通市 南阳市 博尔塔拉蒙古自治州 厦门市 "
    "双鸭山市 台州市 合肥市 吉安市 吉林市 吐鲁番市 吕梁市 吴忠市 周口市 呼伦贝尔市 呼和浩特市 "
    "和田地区 咸宁市 咸阳市 哈密市 哈尔滨市 唐山市 商丘市 商洛市 喀什地区 嘉兴市 嘉峪关市 "
    "四平市 固原市 塔城地区 大兴安岭地区 大同市 大庆市 大理白族自治州 大连市 天水市 太原市 "
    "威海市 娄底市 孝感市 宁德市 宁波市 安庆市 安康市 安阳市 安顺市 定西市 宜宾市 宜昌市 "
    "宜春市 宝鸡市 宣城市 宿州市 宿迁市 山南市 岳阳市 崇左市 巴中市 巴彦淖尔市 "
    "巴音郭楞蒙古自治州 常州市 常德市 平凉市 平顶山市 广元市 广安市 广州市 庆阳市 廊坊市 延安市 "
    "延边朝鲜族自治州 开封市 张家口市 张家界市 张掖市 徐州市 德宏傣族景颇族自治州 德州市 德阳市 "
    "忻州市 怀化市 怒江傈僳族自治州 恩施土家族苗族自治州 惠州市 成都市 扬州市 承德市 抚州市 "
    "抚顺市 拉萨市 揭阳市 攀枝花市 文山壮族苗族自治州 新乡市 新余市 无锡市 日喀则市 日照市 "
    "昆明市 昌吉回族自治州 昌都市 昭通市 晋中市 晋城市 普洱市 景德镇市 曲靖市 朔州市 朝阳市 "
    "本溪市 来宾市 杭州市 松原市 林芝市 果洛藏族自治州 枣庄市 柳州市 株洲市 桂林市 梅州市 "
    "梧州市 楚雄彝族自治州 榆林市 武威市 武汉市 毕节市 永州市 汉中市 汕头市 汕尾市 江门市 "
    "池州市 沈阳市 沧州市 河池市 河源市 泉州市 泰安市 泰州市 泸州市 洛阳市 济南市 济宁市 "
    "海东市 海北藏族自治州 海南藏族自治州 海口市 海西蒙古族藏族自治州 淄博市 淮北市 淮南市 淮安市 "
    "深圳市 清远市 温州市 渭南市 湖州市 湘潭市 湘西土家族苗族自治州 湛江市 滁州市 滨州市 漯河市 "
    "漳州市 潍坊市 潮州市 濮阳市 烟台市 焦作市 牡丹江市 玉林市 玉树藏族自治州 玉溪市 珠海市 "
    "甘南藏族自治州 甘孜藏族自治州 白城市 白山市 白银市 百色市 益阳市 盐城市 盘锦市 眉山市 "
    "石嘴山市 石家庄市 福州市 秦皇岛市 红河哈尼族彝族自治州 绍兴市 绥化市 绵阳市 聊城市 肇庆市 "
    "自贡市 舟山市 芜湖市 苏州市 茂名市 荆州市 荆门市 莆田市 莱芜市 菏泽市 萍乡市 营口市 "
    "葫芦岛市 蚌埠市 衡水市 衡阳市 衢州市 襄阳市 西双版纳傣族自治州 西宁市 西安市 许昌市 贵港市 "
    "贵阳市 贺州市 资阳市 赣州市 赤峰市 辽源市 辽阳市 达州市 运城市 连云港市 迪庆藏族自治州 "
    "通化市 通辽市 遂宁市 遵义市 邢台市 那曲地区 邯郸市 邵阳市 郑州市 郴州市 鄂尔多斯市 鄂州市 "
    "酒泉市 金华市 金昌市 钦州市 铁岭市 铜仁市 铜川市 铜陵市 银川市 锡林郭勒盟 锦州市 镇江市 "
    "长春市 长沙市 长治市 阜新市 阜阳市 防城港市 阳江市 阳泉市 阿克苏地区 阿勒泰地区 "
    "阿坝藏族羌族自治州 阿拉善盟 阿里地区 陇南市 随州市 雅安市 青岛市 鞍山市 韶关市 马鞍山市 "
    "驻马店市 鸡西市 鹤壁市 鹤岗市 鹰潭市 黄冈市 黄南藏族自治州 黄山市 黄石市 黑河市 "
    "黔东南苗族侗族自治州 黔南布依族苗族自治州 黔西南布依族苗族自治州 齐齐哈尔市 龙岩市 "
)
"""Prefecture-level cities, prefectures and leagues, by full name."""

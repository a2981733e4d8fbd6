"""Vocabularies of the sample company: person and organisation names, e-mail domains, labels."""
_SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕"
    "丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴孔汤"
)
_MALE_CHARS = list("伟强磊军勇杰涛斌超明刚辉鹏华飞鑫波宇浩凯健俊帆旭宁龙阳晨博文志建国峰亮成东"
                   "海洋振宏政翔皓然睿泽轩")
_FEMALE_CHARS = list("芳娜敏静丽艳娟霞燕玲婷雪慧颖琳洁倩晶欣怡佳悦萍红梅莉兰璐丹琪瑶蕾雯萱"
                     "涵诗梦思妍蓉岚")
_EN_MALE = ("James John Robert Michael David William Richard Joseph Thomas Daniel Matthew Andrew "
            "Kevin Brian Jason Eric Ryan Jacob Ethan Noah Leo Owen Henry Lucas").split()
_EN_FEMALE = ("Mary Jennifer Linda Elizabeth Susan Jessica Sarah Karen Emily Emma Olivia Sophia "
              "Grace Chloe Lily Anna Amy Rachel Laura Hannah Mia Zoe Ella Ruby").split()
_EN_LAST = ("Smith Johnson Williams Brown Jones Garcia Miller Davis Wilson Anderson Taylor Moore "
            "Martin Jackson White Harris Clark Lewis Walker Hall Young King Wright Scott Green "
            "Baker Adams Nelson Hill Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Lin").split()
_ORG_WORDS = {"zh": ("华信", "中科", "恒达", "瑞丰", "金桥", "宏远", "新创", "博雅", "天成", "鼎盛"),
              "en": ("Huaxin", "Zhongke", "Hengda", "Ruifeng", "Jinqiao", "Hongyuan", "Xinchuang",
                     "Boya", "Tiancheng", "Dingsheng")}
_ORG_KINDS = {"zh": ("科技", "贸易", "实业", "商贸", "电子", "文化传媒", "餐饮管理"),
              "en": ("Technology", "Trading", "Industrial", "Commerce", "Electronics", "Media",
                     "Catering")}
# government customers: unit templates with a number ({n}), e.g. 第三人民医院 / No.3 Hospital
_GOV_UNITS = {"zh": ("第{n}人民医院", "第{n}中学", "税务局第{n}分局", "第{n}实验小学", "公安局第{n}分局",
                     "教育局"),
              "en": ("No.{n} People's Hospital", "No.{n} Middle School", "Tax Bureau Branch {n}",
                     "No.{n} Experimental Primary School", "Police Branch {n}",
                     "Education Bureau")}
_ZH_NUMBERS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二")
_MAIL_ZH = ("163.com", "126.com", "sina.com", "gmail.com", "foxmail.com")
_MAIL_EN = ("gmail.com", "outlook.com", "yahoo.com", "icloud.com", "hotmail.com")

_LABELS: dict[str, dict[str, tuple]] = {
    "zh": {
        "regions": ("华东", "华北", "华南", "西南"),
        "cities": (("上海", "杭州", "南京", "苏州", "宁波", "合肥"),
                   ("北京", "天津", "石家庄", "太原", "呼和浩特"),
                   ("广州", "深圳", "东莞", "佛山", "南宁", "海口"),
                   ("成都", "重庆", "昆明", "贵阳")),
        "categories": ("服饰", "数码", "美妆", "家居", "食品", "母婴", "运动"),
        "order_channels": ("线上商城", "小程序", "门店", "电话"),
        "acquisition": ("自然流量", "搜索广告", "社交媒体", "老客推荐", "线下活动"),
        "customer_types": ("个人", "企业", "政府"),
        "genders": ("男", "女"),
        "feedback_channels": ("短信", "邮件", "App", "电话回访"),
        "complaint_categories": ("售后", "物流", "质量", "价格", "服务"),
        "severities": ("低", "中", "高"),
        "interaction_channels": ("App", "网站", "小程序", "电话", "邮件"),
        "competitors": ("优选商城", "品质汇", "快购网"),
    },
    "en": {
        "regions": ("East", "North", "South", "Southwest"),
        "cities": (("Shanghai", "Hangzhou", "Nanjing", "Suzhou", "Ningbo", "Hefei"),
                   ("Beijing", "Tianjin", "Shijiazhuang", "Taiyuan", "Hohhot"),
                   ("Guangzhou", "Shenzhen", "Dongguan", "Foshan", "Nanning", "Haikou"),
                   ("Chengdu", "Chongqing", "Kunming", "Guiyang")),
        "categories": ("Apparel", "Electronics", "Beauty", "Home", "Food", "Baby", "Sports"),
        "order_channels": ("online store", "mini program", "store", "phone"),
        "acquisition": ("organic", "search ads", "social media", "referral", "offline event"),
        "customer_types": ("individual", "enterprise", "government"),
        "genders": ("male", "female"),
        "feedback_channels": ("sms", "email", "app", "phone"),
        "complaint_categories": ("after-sales", "logistics", "quality", "price", "service"),
        "severities": ("low", "medium", "high"),
        "interaction_channels": ("app", "website", "mini program", "phone", "email"),
        "competitors": ("PriceMart", "QualityHub", "QuickBuy"),
    },
}
INTERACTION_TYPES = ("visit", "click", "like", "share", "email_open", "call")
STATUSES = ("completed", "cancelled", "refunded")

"""The bundled sample company: a fictional Chinese retailer with three planted stories.

``generate(out_dir)`` writes the seven input tables of CONTRACT section 3 (orders, customers,
feedback, complaints, interactions, competitors, market) for twelve quarters ending with
``end_period``; everything is drawn from ``numpy.random.default_rng(seed)`` (no network) and the
files are byte-identical for the same arguments (same library versions). ``_manifest.json``
records the arguments, row counts, dirty-row counts and file hashes; a second call with the
same arguments finds it and returns the existing paths without rewriting anything.

Shape (``customers=N``; figures in brackets are for the defaults N=20,000, seed 42)
------------------------------------------------------------------------------------
* customers: N rows; ids ``C0000001`` …; regions 华东/华北/华南/西南 (East/North/South/Southwest)
  with shares 35/25/22/18 %; 90 % individual, 8 % enterprise, 2 % government customers
  (个人/企业/政府; company and agency names for the latter two); 35 % signed up in the four
  years before the history window, the rest during it, more and more each quarter; 5 % signed
  up but never bought (potential customers). ``birth_year`` and ``gender`` only for
  individuals (3 % of birth years missing), ``email`` missing for 15 %; phones ``1[3-9]`` + 9
  digits.
* orders: 12.5·N sale orders on average [250.4k; 256.7k rows with refunds and dirty rows]
  (status ``completed``, 1 % ``cancelled``) from the first day of the quarter eleven quarters
  before ``end_period`` to its last day, times ``YYYY-MM-DD HH:MM:SS``. Per-customer rates are
  log-normal (σ = 1, capped), so many customers order once or twice (29 % of buyers) and a few
  every week (median 6, max ≈275 orders); organisations order 1.5× as often; 3 % of the active
  customers churn per quarter. Seasonality: 618 (June 1-18), 双11 (Nov 1-11, peak on the 11th),
  双12, a weaker January/February and a dip of −55 % in the fortnight around Chinese New Year,
  so Q4 is the peak and Q1 the trough. Refunds are separate rows: 2 % of the completed orders
  get a row ``R<same number>`` dated 1-14 days later with negative ``quantity`` and ``amount``
  and status ``refunded`` (refunds are not dirty). ``order_id`` is ``O`` + 9 digits in time
  order; ``status`` and ``interactions.type`` are English codes in both languages. Seven
  categories with their own price levels (median list price, CNY): 服饰 189, 数码 1299,
  美妆 229, 家居 329, 食品 59, 母婴 169, 运动 279 (40 products each, ``P<k><nnn>``); promotion
  days sell at −15 %; organisations buy larger quantities (clean orders stay far below the
  cleaning limit of 1,000,000 CNY: max ≈43k at the default size, ≈110k at a million customers).
* feedback: round(1.2·N) survey responses [24,000], each 0.5-10 days after a random completed
  order, channel 短信/邮件/App/电话回访.
  Aspect ratings (1-5): latent means product 4.1, service 4.0, after-sales 3.9, price 3.75,
  delivery 4.0, plus a shared per-response mood N(0, 0.45²) and an own N(0, 0.7²), rounded;
  2 % of each aspect left blank. With the rounded ratings r::

      csat_latent = 0.25·product + 0.20·service + 0.25·after_sales + 0.15·price
                    + 0.15·delivery + N(0, 0.35²)
      csat = round(csat_latent) clipped to 1-5
      nps  = round(2.5·(csat_latent − 1) + 0.8 + N(0, 1)) clipped to 0-10

  (``CSAT_WEIGHTS``; a regression of csat on the five ratings recovers roughly these
  weights). 70 % of responses (90 % of the unhappy ones) carry a comment whose sentiment follows
  csat (≥4 positive, 3 neutral, ≤2 negative) and which names the best (positive) or worst
  (negative) rated aspect: 质量/客服/售后/价格/物流.
* complaints [≈5.0k]: each completed sale order opens a ticket (``T`` + 8 digits) with
  probability 2 %, 0.5-15 days after the order; categories 售后/物流/质量/价格/服务 = 25/30/20/10/15 %; severity 低/中/高 = 50/35/15 %;
  first response after Exp(8 h), closed Exp(2.5 days) later, 90 % of closed tickets resolved;
  tickets not closed by the end of the window (and 2 % at random) are open (``closed_at`` NaT,
  ``resolved`` False). round(2 %) of the texts end with the customer's phone or e-mail.
* interactions [≈132k]: per customer Poisson(1 + 0.45·orders) rows of visit/click/like/share/
  email_open/call (35/28/10/5/15/7 %) with a count and a channel, dated (``YYYY-MM-DD``) over
  the customer's active span (potential customers browse too).
* competitors: 3 competitors × 12 quarters × 4 regions: 优选商城/PriceMart (the price player,
  price_index ≈ 0.99), 品质汇/QualityHub (premium, ≈ 1.12), 快购网/QuickBuy (fast delivery,
  ≈ 1.03). ``price_index`` is their price level with ours = 1.0; ``csat`` and ``rating_*`` are
  means on 1-5; ``nps`` is a net promoter score (−100…100; ours is ≈22); ``sales`` =
  market_size × market_share.
* market: 12 quarters × 4 regions; ``market_size`` (CNY, about nine times our revenue, Q4
  peak, +6 % a year) and ``growth`` (year-on-year).

The three planted stories (``story_facts()`` returns them as a dict)
-------------------------------------------------------------------
Names below are for ``language="zh"`` / ``"en"``; "latest quarter" is ``end_period``.

(A) After-sales in 华南 / South falls in the latest quarter. For responses from South
    customers dated in the latest quarter the latent after-sales rating is 1.1 lower, so the
    mean ``rating_after_sales`` drops by about 1 point (3.87 → 2.88 at the default size) and,
    through the weights, mean csat by ≈0.25 (3.94 → 3.69) and mean nps by ≈0.6 (8.0 → 7.4);
    the other regions stay flat. South sale orders of the latest quarter open an extra
    售后/after-sales ticket with probability 0.5 % (the base rate of that category), so
    after-sales complaints per order double there (measured ×2.0-2.7 over a few seeds; in
    counts ≈1.8-2.4× the mean of the previous four quarters) while other regions stay within
    ≈±25 % (small counts). South after-sales tickets opened in the latest
    quarter get a first response after Exp(24 h) instead of Exp(8 h), close after Exp(7 days)
    instead of Exp(2.5 days), are resolved 65 % (not 90 %) of the time when closed and are
    more severe (低/中/高 = 30/45/25 %).
(B) Young customers move to 美妆 / Beauty. Individuals with ``end_year − birth_year < 30``
    (born in or after 1997 for 2026Q3; ≈29 % of individuals) choose 美妆 for 15 % of their orders
    until five quarters before the end; over the last four quarters that share rises to 20, 25,
    30 and 35 % (the other categories shrink in proportion). Older individuals keep 12 %.
(C) Price-sensitive customers in 华北 / North buy less while the price player cuts prices.
    A hidden trait of ≈15 % of customers (individuals only: 42 % of North individuals, 7.5 %
    elsewhere, so two thirds of them live in North; ids in ``_truth_price_sensitive.parquet``).
    They pick the cheaper products of each category (AOV ≈380 against ≈740), put twice the
    share of their orders on promotion days (weight × 2.5 on 618, 双11 and 双12: 31 % of their
    orders against 15 %) and rate price 0.4 lower. In the latest quarter their expected order
    count is × 0.55. Measured on customers who signed up before the same quarter a year
    earlier (default size): their orders per customer fall 52 % against that quarter (others:
    −14 %, churn), i.e. −45 % relative to the other customers, and 63 % against the mean of
    the previous four quarters (others: −15 %; that mean includes 双11, where they are
    heavier). In the same quarter 优选商城 / PriceMart cuts its ``price_index`` in North from
    ≈0.99 to 0.82 and its market share there rises by 5 points (≈0.17 → ≈0.22); elsewhere
    nothing changes.

Dirty rows (for the cleaning stage; counts are recorded in the manifest under ``dirty``)
-------------------------------------------------------------------------------------
Added on top of the clean orders, each row with exactly one defect, where n is the number of
clean order rows (sales and refunds) and each count is ``max(1, round(f·n))`` (each of the
other six kinds [128]):

* ``exact_duplicate`` f = 0.2 % [511]: a copy of a completed order row;
* ``duplicate_order_id`` f = 0.05 %: same ``order_id`` and ``product_id`` as a completed order,
  quantity + 1 (amount recomputed);
* ``missing_customer_id`` f = 0.05 %: a new order without ``customer_id``;
* ``unparseable_date`` f = 0.05 %: ``order_date`` one of ``2026-13-45 10:00:00``,
  ``not a date``, ``2025-02-30 12:00:00``, ``20251340``, ``yesterday``;
* ``absurd_amount`` f = 0.05 %: quantity 1, unit_price = amount = 99999999;
* ``unknown_customer`` f = 0.05 %: a ``customer_id`` beyond the customers table;
* ``future_date`` f = 0.05 %: an ``order_date`` five years after the end year (e.g. 2031).

Apart from the duplicates, dirty rows have new order ids after the last clean one. In feedback,
``max(2, round(0.1 % of the responses))`` rows [24] have ``csat`` 7 and as many others
``nps`` 11.

Files: ``fmt="mixed"`` (the demo default) writes orders.csv (UTF-8), customers.csv (GB18030
for zh, UTF-8 for en), feedback.xlsx, complaints.parquet, interactions.csv, competitors.csv,
market.csv; ``fmt="parquet"`` writes ``<table>.parquet`` for all seven (use it for millions
of customers). ``order_date`` stays text in both formats (the dirty dates cannot be dates).
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
import zipfile
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .errors import ParameterError

GENERATOR_VERSION = "1.0"
MANIFEST_NAME = "_manifest.json"
TRUTH_FILE = "_truth_price_sensitive.parquet"
N_QUARTERS = 12
LANGUAGES = ("zh", "en")
FORMATS = ("mixed", "parquet")
TABLE_ORDER = ("orders", "customers", "feedback", "complaints", "interactions", "competitors",
               "market")
MIXED_FILES = {
    "orders": "orders.csv",
    "customers": "customers.csv",
    "feedback": "feedback.xlsx",
    "complaints": "complaints.parquet",
    "interactions": "interactions.csv",
    "competitors": "competitors.csv",
    "market": "market.csv",
}
# fixed workbook properties and zip-entry times, so feedback.xlsx is byte-identical across runs
FIXED_TIME = datetime(2026, 1, 1, 0, 0, 0)

ASPECTS = ("product", "service", "after_sales", "price", "delivery")
CSAT_WEIGHTS = {"product": 0.25, "service": 0.20, "after_sales": 0.25, "price": 0.15,
                "delivery": 0.15}
ASPECT_MEANS = {"product": 4.1, "service": 4.0, "after_sales": 3.9, "price": 3.75,
                "delivery": 4.0}

REGION_SHARES = (0.35, 0.25, 0.22, 0.18)
STORY_A_REGION = 2           # 华南 / South
STORY_C_REGION = 1           # 华北 / North
STORY_B_CATEGORY = 2         # 美妆 / Beauty
PRICE_PLAYER = 0             # 优选商城 / PriceMart
YOUNG_AGE = 30

DIRTY_FRACTIONS = {
    "exact_duplicate": 0.002,
    "duplicate_order_id": 0.0005,
    "missing_customer_id": 0.0005,
    "unparseable_date": 0.0005,
    "absurd_amount": 0.0005,
    "unknown_customer": 0.0005,
    "future_date": 0.0005,
}
BAD_DATES = ("2026-13-45 10:00:00", "not a date", "2025-02-30 12:00:00", "20251340", "yesterday")
ABSURD_AMOUNT = 99_999_999.0

# Chinese New Year (first day), for the holiday dip
_CNY = {
    2015: "02-19", 2016: "02-08", 2017: "01-28", 2018: "02-16", 2019: "02-05", 2020: "01-25",
    2021: "02-12", 2022: "02-01", 2023: "01-22", 2024: "02-10", 2025: "01-29", 2026: "02-17",
    2027: "02-06", 2028: "01-26", 2029: "02-13", 2030: "02-03", 2031: "01-23", 2032: "02-11",
    2033: "01-31", 2034: "02-19", 2035: "02-08",
}

# ------------------------------------------------------------------------------ vocabularies

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
CITY_WEIGHTS = ((0.40, 0.18, 0.14, 0.12, 0.09, 0.07), (0.50, 0.20, 0.12, 0.10, 0.08),
                (0.32, 0.30, 0.12, 0.12, 0.08, 0.06), (0.42, 0.35, 0.13, 0.10))
INTERACTION_TYPES = ("visit", "click", "like", "share", "email_open", "call")
STATUSES = ("completed", "cancelled", "refunded")

CATEGORY_PRICE = (189.0, 1299.0, 229.0, 329.0, 59.0, 169.0, 279.0)
N_PRODUCTS = 40
CATALOGUE_SEED = 20260101
# category mix: older individuals, young individuals (before the shift), organisations
CATEGORY_MIX = np.array([
    [0.20, 0.14, 0.12, 0.15, 0.20, 0.09, 0.10],
    [0.22, 0.18, 0.15, 0.09, 0.18, 0.06, 0.12],
    [0.08, 0.25, 0.04, 0.25, 0.28, 0.03, 0.07],
])
YOUNG_BEAUTY_SHIFT = (0.20, 0.25, 0.30, 0.35)   # last four quarters, oldest first

# comment templates [sentiment][aspect] -> variants; sentiment 0 negative, 1 neutral, 2 positive
_COMMENTS = {
    "zh": (
        (("质量一般，用了几天就坏了", "做工粗糙，和图片不符", "质量太差了，很失望"),
         ("客服回复太慢，态度也冷淡", "问了好几次都没人理", "服务态度差，体验不好"),
         ("售后太差，退货申请一直没人处理", "售后推诿，问题拖了两周还没解决", "换货流程太麻烦，售后电话打不通"),
         ("价格偏贵，不如别家划算", "刚买就降价，也不给保价", "性价比低，太贵了"),
         ("物流太慢，等了一周才到", "快递把包装弄破了", "配送延误，也没人通知")),
        (("质量还行，中规中矩", "质量一般般，能用"),
         ("客服还可以，就是回复有点慢", "服务一般"),
         ("售后还可以，就是流程有点长", "售后处理得一般"),
         ("价格一般，等活动再买", "价格还算合理"),
         ("物流速度一般", "快递还行，比预计晚了一天")),
        (("质量很好，做工精细，会回购", "东西质量不错，和描述一致", "品质超出预期，很满意"),
         ("客服态度很好，回复及时", "导购很热情，服务周到", "服务专业，体验很好"),
         ("售后处理很快，退换货很方便", "售后很负责，问题当天就解决了", "售后服务到位，点赞"),
         ("价格实惠，性价比高", "活动价很划算", "价格公道，比别家便宜"),
         ("物流很快，第二天就到了", "配送及时，包装完好", "快递小哥很准时")),
    ),
    "en": (
        (("Poor quality, it broke after a few days", "Cheap workmanship, not like the photos",
          "Terrible quality, very disappointed"),
         ("Customer service replies far too slowly", "Asked several times, nobody answered",
          "Rude service, bad experience"),
         ("Awful after-sales, my return request is still not handled",
          "After-sales keeps passing the buck, two weeks and no solution",
          "Exchange process is a pain and the after-sales hotline never answers"),
         ("Too expensive, other shops are cheaper", "Price dropped right after I bought it",
          "Poor value for money, overpriced"),
         ("Delivery was slow, took a week", "The courier damaged the package",
          "Delivery delayed without any notice")),
        (("Quality is okay, nothing special", "Average quality, it works"),
         ("Service is fine but replies are a bit slow", "Service is average"),
         ("After-sales is okay, the process is a bit long", "After-sales was average"),
         ("Price is average, will wait for a sale", "Price is fair enough"),
         ("Delivery speed is average", "Delivery was fine, one day later than expected")),
        (("Great quality, well made, will buy again", "Good quality, exactly as described",
          "Better quality than expected, very happy"),
         ("Friendly service, quick replies", "Helpful staff, very attentive",
          "Professional service, great experience"),
         ("After-sales was fast, returns are easy", "After-sales fixed my problem the same day",
          "Excellent after-sales service"),
         ("Affordable and good value", "The promotion price was a real bargain",
          "Fair price, cheaper than elsewhere"),
         ("Fast delivery, arrived the next day", "Delivered on time, well packed",
          "The courier was punctual")),
    ),
}
_COMPLAINTS = {
    "zh": (
        ("退货申请提交一周了还没人处理", "换货后问题依旧，售后一直推诿", "维修寄回后没有任何进度", "退款迟迟不到账"),
        ("快递超时五天还没送到", "包裹丢失，物流信息一直不更新", "外包装破损，商品有磕碰", "送错地址，联系不上快递员"),
        ("收到的商品有明显瑕疵", "用了两次就坏了，质量有问题", "实物和描述严重不符", "商品疑似临期"),
        ("下单后第二天就降价，要求退差价", "优惠券无法使用，价格与页面不一致", "同款在别家便宜很多", "活动价结算时没有生效"),
        ("客服态度恶劣", "电话打了多次无人接听", "门店店员服务不耐烦", "承诺回电但一直没有回复"),
    ),
    "en": (
        ("Return request submitted a week ago, still not handled",
         "Exchanged item has the same fault, after-sales keeps deflecting",
         "No progress since I sent the item for repair", "Refund still not received"),
        ("Parcel five days late and still not delivered",
         "Parcel lost, tracking has not updated", "Box damaged and the item is dented",
         "Delivered to the wrong address, courier unreachable"),
        ("Item arrived with obvious defects", "Broke after two uses, faulty product",
         "Product is nothing like the description", "Product looks close to expiry"),
        ("Price dropped the day after I ordered, I want the difference back",
         "Coupon could not be used, price differs from the page",
         "Same item is much cheaper elsewhere", "Promotion price not applied at checkout"),
        ("Rude customer service", "Called many times, nobody picked up",
         "Store staff were impatient", "Promised a call back that never came"),
    ),
}
_CONTACT = {"zh": ("，请尽快联系我：{}", "，回复请发邮件到 {}"),
            "en": (", please call me back: {}", ", reply to {}")}

# competitor profiles: share by region, price_index, csat, nps, ratings (product, service,
# after_sales, price, delivery)
_COMPETITORS = (
    ((0.15, 0.17, 0.14, 0.16), 0.99, 3.85, 18.0, (3.7, 3.7, 3.6, 4.4, 3.9)),
    ((0.20, 0.19, 0.21, 0.18), 1.12, 4.25, 38.0, (4.4, 4.3, 4.2, 3.5, 4.0)),
    ((0.13, 0.14, 0.13, 0.12), 1.03, 4.00, 27.0, (3.9, 3.9, 3.8, 3.9, 4.6)),
)
OUR_MARKET_SHARE = 0.11


# ------------------------------------------------------------------------------ public API


def story_facts(language: str = "zh", end_period: str = "2026Q3") -> dict:
    """The planted facts of the three stories (see the module docstring), as plain values."""
    _check_language(language)
    quarters = _quarters(end_period)
    lab = _LABELS[language]
    latest = str(quarters[-1])
    end_year = quarters[-1].year
    return {
        "latest_period": latest,
        "periods": [str(q) for q in quarters],
        "A": {
            "region": lab["regions"][STORY_A_REGION],
            "period": latest,
            "aspect": "rating_after_sales",
            "latent_drop": 1.1,
            "expected_rating_drop": 1.0,
            "complaint_category": lab["complaint_categories"][0],
            "complaint_factor": 2.0,
            "first_response_hours": {"before": 8.0, "story": 24.0},
            "close_days": {"before": 2.5, "story": 7.0},
            "resolved_share": {"before": 0.9, "story": 0.65},
        },
        "B": {
            "young_rule": f"end_year - birth_year < {YOUNG_AGE}",
            "min_birth_year": end_year - YOUNG_AGE + 1,
            "category": lab["categories"][STORY_B_CATEGORY],
            "share_before": float(CATEGORY_MIX[1, STORY_B_CATEGORY]),
            "share_by_period": {str(q): s for q, s in zip(quarters[-4:], YOUNG_BEAUTY_SHIFT,
                                                          strict=True)},
            "older_share": float(CATEGORY_MIX[0, STORY_B_CATEGORY]),
            "shift_periods": [str(q) for q in quarters[-4:]],
        },
        "C": {
            "region": lab["regions"][STORY_C_REGION],
            "period": latest,
            "order_rate_factor": 0.55,
            "competitor": lab["competitors"][PRICE_PLAYER],
            "price_index_before": 0.99,
            "price_index_after": 0.82,
            "market_share_gain": 0.05,
            "truth_file": TRUTH_FILE,
        },
    }


def story_truth(out_dir: Path | str) -> dict:
    """``story_facts`` for the data in ``out_dir`` plus the hidden price-sensitive customer ids.

    For tests only: the ids come from ``_truth_price_sensitive.parquet``, which no stage reads.
    """
    out = Path(out_dir)
    manifest = _read_manifest(out)
    if manifest is None:
        raise FileNotFoundError(f"{out / MANIFEST_NAME}: no sample company here; run generate() first.")
    args = manifest["arguments"]
    facts = story_facts(args["language"], args["end_period"])
    ids = pd.read_parquet(out / TRUTH_FILE)["customer_id"]
    facts["C"]["customer_ids"] = [str(v) for v in ids]
    facts["dirty"] = manifest["dirty"]
    facts["rows"] = manifest["rows"]
    return facts


def generate(
    out_dir: Path | str,
    *,
    customers: int = 20_000,
    seed: int = 42,
    language: str = "zh",
    end_period: str = "2026Q3",
    fmt: str = "mixed",
) -> dict[str, Path]:
    """Write the seven input tables of the sample company into ``out_dir``; return their paths.

    Deterministic: the same arguments give byte-identical files. When ``_manifest.json`` in
    ``out_dir`` matches the arguments and every file it lists exists with its recorded size,
    nothing is rewritten and the existing paths are returned.
    """
    _check_arguments(customers, seed, language, end_period, fmt)
    out = Path(out_dir)
    arguments = {"customers": int(customers), "seed": int(seed), "language": language,
                 "end_period": str(end_period), "fmt": fmt}
    files = _file_names(fmt)
    existing = _up_to_date(out, arguments, files)
    if existing is not None:
        return existing

    tables, truth, dirty = build_tables(customers=customers, seed=seed, language=language,
                                        end_period=end_period)
    out.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for table in TABLE_ORDER:
        path = out / files[table]
        _write_table(tables[table], path, table, language)
        paths[table] = path
    truth_path = out / TRUTH_FILE
    _atomic_write(truth_path, _parquet_bytes(truth))

    manifest = {
        "generator": "playbook.sample",
        "version": GENERATOR_VERSION,
        "arguments": arguments,
        "files": dict(files),
        "truth_files": [TRUTH_FILE],
        "stories": story_facts(language, end_period),
        "rows": {t: len(tables[t]) for t in TABLE_ORDER},
        "dirty": dirty,
        "bytes": {name: (out / name).stat().st_size for name in [*files.values(), TRUTH_FILE]},
        "sha256": {name: _sha256(out / name) for name in [*files.values(), TRUTH_FILE]},
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    _atomic_write(out / MANIFEST_NAME, text.encode("utf-8"))
    return paths


def build_tables(
    *, customers: int = 20_000, seed: int = 42, language: str = "zh", end_period: str = "2026Q3",
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame, dict]:
    """The seven tables in memory, the hidden truth frame and the dirty-row counts.

    Same content as the files ``generate`` writes (before encoding).
    """
    _check_arguments(customers, seed, language, end_period, "mixed")
    rngs = np.random.default_rng(seed).spawn(8)
    cal = _Calendar(_quarters(end_period))
    lab = _LABELS[language]
    cust = _draw_customers(int(customers), cal, rngs[0])
    sales = _draw_orders(cust, cal, rngs[1])
    orders, dirty_orders = _orders_table(sales, cust, cal, lab, rngs[2])
    feedback, dirty_fb = _feedback_table(sales, cust, cal, lab, language, rngs[3])
    text = _customer_text(cust, lab, language)
    complaints = _complaints_table(sales, cust, text, cal, lab, language, rngs[4])
    interactions = _interactions_table(cust, sales, cal, lab, rngs[5])
    market = _market_table(sales, cust, cal, lab, rngs[6])
    competitors = _competitors_table(market, lab, rngs[7])
    customers_df = _customers_table(cust, text, cal, lab)
    tables = {"orders": orders, "customers": customers_df, "feedback": feedback,
              "complaints": complaints, "interactions": interactions,
              "competitors": competitors, "market": market}
    truth = pd.DataFrame({"customer_id": customers_df["customer_id"][cust["ps"]].to_numpy()})
    return tables, truth, {"orders": dirty_orders, "feedback": dirty_fb}


# ------------------------------------------------------------------------------ checks


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise ParameterError("language", "'zh' or 'en'", language, where="sample")


def _check_arguments(customers, seed, language, end_period, fmt) -> None:
    if isinstance(customers, bool) or not isinstance(customers, int | np.integer) or customers < 100:
        raise ParameterError("customers", "an integer >= 100", customers, where="sample")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ParameterError("seed", "a non-negative integer", seed, where="sample")
    _check_language(language)
    _quarters(end_period)
    if fmt not in FORMATS:
        raise ParameterError("fmt", "'mixed' or 'parquet'", fmt, where="sample")


def _quarters(end_period: str) -> list[pd.Period]:
    m = re.fullmatch(r"(\d{4})Q([1-4])", str(end_period))
    if not m:
        raise ParameterError("end_period", "a quarter written YYYYQn (e.g. '2026Q3')", end_period,
                             where="sample")
    end = pd.Period(f"{m[1]}Q{m[2]}", freq="Q")
    return [end - (N_QUARTERS - 1 - i) for i in range(N_QUARTERS)]


# ------------------------------------------------------------------------------ calendar


class _Calendar:
    """Days of the twelve quarters, their sales weights and the quarter boundaries."""

    def __init__(self, quarters: list[pd.Period]):
        self.quarters = quarters
        self.labels = [str(q) for q in quarters]
        self.start = np.datetime64(quarters[0].start_time.date(), "D")
        self.end = np.datetime64(quarters[-1].end_time.date(), "D")
        self.n_days = int((self.end - self.start).astype(int)) + 1
        self.end_year = quarters[-1].year
        days = self.start + np.arange(self.n_days)
        self.days = days
        self.start_s = int(self.start.astype("datetime64[s]").astype(np.int64))
        self.end_s = self.start_s + self.n_days * 86400 - 1
        q_bounds = [np.datetime64(q.start_time.date(), "D") for q in quarters]
        self.q_start = np.array([int((b - self.start).astype(int)) for b in q_bounds] + [self.n_days])
        self.day_q = np.searchsorted(self.q_start, np.arange(self.n_days), side="right") - 1
        months = days.astype("datetime64[M]").astype(int) % 12 + 1
        dom = (days - days.astype("datetime64[M]")).astype(int) + 1
        weekday = (days.astype(int) + 3) % 7   # 0 Monday
        month_factor = np.array([0, .85, .75, .95, .95, 1.0, 1.1, .95, .95, 1.0, 1.05, 1.3, 1.2])
        w = month_factor[months].astype(float)
        w *= np.where(weekday >= 5, 1.15, 1.0)
        promo = ((months == 6) & (dom <= 18)) | ((months == 11) & (dom <= 11)) | \
            ((months == 12) & (dom == 12))
        w *= np.where((months == 6) & (dom < 18), 1.3, 1.0)
        w *= np.where((months == 6) & (dom == 18), 3.5, 1.0)
        w *= np.where((months == 11) & (dom < 11), 1.4, 1.0)
        w *= np.where((months == 11) & (dom == 11), 6.0, 1.0)
        w *= np.where((months == 12) & (dom == 12), 2.5, 1.0)
        years = days.astype("datetime64[Y]").astype(int) + 1970
        for y in np.unique(years):
            cny = np.datetime64(f"{y}-{_CNY.get(int(y), '02-01')}", "D")
            near = np.abs((days - cny).astype(int)) <= 7
            w *= np.where(near, 0.45, 1.0)
        self.promo = promo
        self.w = [w, w * np.where(promo, 2.5, 1.0)]
        self.w[1] *= self.w[0].sum() / self.w[1].sum()
        self.cw = [np.concatenate([[0.0], np.cumsum(x)]) for x in self.w]
        q_sums = np.diff(self.cw[0][self.q_start])
        self.q_mean = float(q_sums.mean())
        self.season = q_sums / self.q_mean   # per quarter, mean 1

    def quarter_of_seconds(self, ts: np.ndarray) -> np.ndarray:
        day = (ts - self.start_s) // 86400
        return self.day_q[np.clip(day, 0, self.n_days - 1)]


# ------------------------------------------------------------------------------ customers


def _draw_customers(n: int, cal: _Calendar, rng: np.random.Generator) -> dict:
    region = rng.choice(4, size=n, p=REGION_SHARES).astype(np.int8)
    ctype = rng.choice(3, size=n, p=(0.90, 0.08, 0.02)).astype(np.int8)
    individual = ctype == 0
    # signup: 35 % in the four years before the window, the rest growing through the window
    pre = rng.random(n) < 0.35
    signup = np.empty(n, dtype=np.int64)
    signup[pre] = -rng.integers(1, 4 * 365 + 1, size=int(pre.sum()))
    t = rng.random(int((~pre).sum()))
    a = 1.5   # density proportional to 1 + a·x on [0, 1]
    x = (-1 + np.sqrt(1 + a * (2 + a) * t)) / a
    signup[~pre] = np.minimum((x * cal.n_days).astype(np.int64), cal.n_days - 1)
    age = np.clip(np.round(rng.normal(36, 11, size=n)), 18, 75).astype(np.int64)
    birth_year = (cal.end_year - age).astype(float)
    birth_year[~individual] = np.nan
    birth_year[individual & (rng.random(n) < 0.03)] = np.nan
    young = individual & ~np.isnan(birth_year) & (cal.end_year - np.nan_to_num(birth_year) < YOUNG_AGE)
    p_ps = np.where(region == STORY_C_REGION, 0.42, 0.075) * individual
    ps = rng.random(n) < p_ps
    potential = rng.random(n) < 0.05
    rate = np.minimum(rng.lognormal(0.0, 1.0, size=n), 12.0) * np.where(ctype > 0, 1.5, 1.0)
    rate[potential] = 0.0
    gender = rng.integers(0, 2, size=n).astype(np.int8)
    city = np.zeros(n, dtype=np.int8)
    for r in range(4):
        m = region == r
        city[m] = rng.choice(len(CITY_WEIGHTS[r]), size=int(m.sum()), p=CITY_WEIGHTS[r])
    pref_channel = rng.choice(4, size=n, p=(0.45, 0.30, 0.20, 0.05)).astype(np.int8)
    acquisition = rng.choice(5, size=n, p=(0.30, 0.25, 0.20, 0.15, 0.10)).astype(np.int8)
    life = rng.geometric(0.03, size=n)      # active quarters before churn
    # name, phone and e-mail draws
    names = {
        "surname": rng.choice(len(_SURNAMES), size=n, p=_surname_weights()),
        "given1": rng.integers(0, 1 << 30, size=n),
        "given2": rng.integers(0, 1 << 30, size=n),
        "two_chars": rng.random(n) < 0.7,
        "en_first": rng.integers(0, 1 << 30, size=n),
        "en_last": rng.integers(0, len(_EN_LAST), size=n),
        "org_word": rng.integers(0, 10, size=n),
        "org_kind": rng.integers(0, 7, size=n),
        "gov_unit": rng.integers(0, 6, size=n),
        "gov_number": rng.integers(0, len(_ZH_NUMBERS), size=n),
    }
    phone = (10_000_000_000 + rng.integers(3, 10, size=n) * 1_000_000_000
             + rng.integers(0, 1_000_000_000, size=n))
    mail = {
        "has": rng.random(n) >= 0.15,
        "qq": rng.random(n) < 0.35,
        "qq_number": rng.integers(10_000, 3_000_000_000, size=n),
        "letters": rng.integers(97, 123, size=(n, 6), dtype=np.uint8),
        "digits": rng.integers(0, 1000, size=n),
        "domain": rng.integers(0, 5, size=n),
    }
    return {"n": n, "ids": _customer_ids(np.arange(1, n + 1)), "region": region, "ctype": ctype, "signup": signup, "birth_year": birth_year,
            "young": young, "ps": ps, "potential": potential, "rate": rate, "gender": gender,
            "city": city, "pref_channel": pref_channel, "acquisition": acquisition, "life": life,
            "names": names, "phone": phone, "mail": mail}


def _surname_weights() -> np.ndarray:
    w = 1.0 / (np.arange(len(_SURNAMES)) + 4.0)
    return w / w.sum()


def _customer_ids(numbers: np.ndarray) -> pa.Array:
    return _ids("C", numbers, 7)


def _cid(cust: dict, idx: np.ndarray) -> pa.Array:
    """Customer ids of row indices; -1 gives null, indices >= n ids outside the customers table."""
    idx = np.asarray(idx, dtype=np.int64)
    n = cust["n"]
    inside = (idx >= 0) & (idx < n)
    out = pc.take(cust["ids"], pa.array(np.where(inside, idx, 0)))
    if inside.all():
        return out
    outside = _customer_ids(idx + 1)
    out = pc.if_else(pa.array(inside), out, outside)
    return pc.if_else(pa.array(idx < 0), pa.scalar(None, pa.string()), out)


def _ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    s = pc.utf8_lpad(pc.cast(pa.array(np.asarray(numbers, dtype=np.int64)), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, s, "")


def _take(labels, codes: np.ndarray) -> pa.Array:
    return pc.take(pa.array(list(labels), pa.string()), pa.array(np.asarray(codes, dtype=np.int64)))


def _customer_text(cust: dict, lab: dict, language: str) -> dict[str, np.ndarray]:
    """Names, cities, phones and e-mails of the customers (object arrays, None where absent)."""
    nm, ctype, region = cust["names"], cust["ctype"], cust["region"]
    flat_cities = [c for r in range(4) for c in lab["cities"][r]]
    offsets = np.cumsum([0] + [len(lab["cities"][r]) for r in range(3)])
    city = np.asarray(flat_cities, dtype=object)[offsets[region] + cust["city"]]
    male = cust["gender"] == 0
    if language == "zh":
        sur = np.asarray(_SURNAMES, dtype=object)[nm["surname"]]
        m_chars = np.asarray(_MALE_CHARS, dtype=object)
        f_chars = np.asarray(_FEMALE_CHARS, dtype=object)
        g1 = np.where(male, m_chars[nm["given1"] % len(m_chars)],
                      f_chars[nm["given1"] % len(f_chars)])
        g2 = np.where(male, m_chars[nm["given2"] % len(m_chars)],
                      f_chars[nm["given2"] % len(f_chars)])
        person = sur + np.where(nm["two_chars"], g1 + g2, g1)
    else:
        m_first = np.asarray(_EN_MALE, dtype=object)
        f_first = np.asarray(_EN_FEMALE, dtype=object)
        first = np.where(male, m_first[nm["en_first"] % len(m_first)],
                         f_first[nm["en_first"] % len(f_first)])
        person = first + " " + np.asarray(_EN_LAST, dtype=object)[nm["en_last"]]
    words = np.asarray(_ORG_WORDS[language], dtype=object)[nm["org_word"]]
    kinds = np.asarray(_ORG_KINDS[language], dtype=object)[nm["org_kind"]]
    numbers = _ZH_NUMBERS if language == "zh" else tuple(str(i + 1) for i in range(len(_ZH_NUMBERS)))
    unit_names = np.array([[u.replace("{n}", k) for k in numbers] for u in _GOV_UNITS[language]],
                          dtype=object)
    units = unit_names[nm["gov_unit"], nm["gov_number"]]
    if language == "zh":
        company = city + words + kinds + "有限公司"
        government = city + "市" + units
    else:
        company = words + " " + kinds + " Co., Ltd. (" + city + ")"
        government = city + " " + units
    name = np.where(ctype == 0, person, np.where(ctype == 1, company, government))

    mail = cust["mail"]
    digits = np.char.zfill(mail["digits"].astype(str), 3).astype(object)
    if language == "zh":
        letters = mail["letters"].view("S6").ravel().astype(str).astype(object)
        domain = np.asarray(_MAIL_ZH, dtype=object)[mail["domain"]]
        qq = mail["qq_number"].astype(str).astype(object) + "@qq.com"
        email = np.where(mail["qq"], qq, letters + digits + "@" + domain)
    else:
        handle = np.where(ctype == 0, person, words).astype(str)
        handle = np.char.replace(np.char.lower(handle), " ", ".").astype(object)
        domain = np.asarray(_MAIL_EN, dtype=object)[mail["domain"]]
        email = handle + digits + "@" + domain
    return {
        "name": name,
        "city": city,
        "phone": cust["phone"].astype(str).astype(object),
        "email": np.where(mail["has"], email, None),
    }


def _customers_table(cust: dict, text: dict, cal: _Calendar, lab: dict) -> pd.DataFrame:
    ctype = cust["ctype"]
    gender = np.where(ctype == 0, np.asarray(lab["genders"], dtype=object)[cust["gender"]], None)
    signup = cal.start + cust["signup"].astype("timedelta64[D]")
    return pd.DataFrame({
        "customer_id": cust["ids"].to_pandas(),
        "region": _take(lab["regions"], cust["region"]).to_pandas(),
        "signup_date": pd.to_datetime(signup.astype("datetime64[s]")),
        "name": pd.array(text["name"], dtype="str"),
        "phone": pd.array(text["phone"], dtype="str"),
        "email": pd.array(text["email"], dtype="str"),
        "gender": pd.array(gender, dtype="str"),
        "birth_year": pd.array(cust["birth_year"], dtype="Int64"),
        "city": pd.array(text["city"], dtype="str"),
        "acquisition_channel": _take(lab["acquisition"], cust["acquisition"]).to_pandas(),
        "customer_type": _take(lab["customer_types"], ctype).to_pandas(),
    })


# ------------------------------------------------------------------------------ orders


def _draw_orders(cust: dict, cal: _Calendar, rng: np.random.Generator) -> dict:
    """Sale orders (before refunds and dirt): arrays sorted by time."""
    n, nq = cust["n"], N_QUARTERS
    signup = cust["signup"]
    profile = cust["ps"].astype(np.int8)
    first_q = np.where(signup < 0, 0, cal.day_q[np.clip(signup, 0, cal.n_days - 1)])
    # activity of each customer in each quarter: season weight of the active part of the quarter
    q_lo = cal.q_start[:-1]
    q_hi = cal.q_start[1:]
    act = np.zeros((n, nq), dtype=np.float64)
    for p in (0, 1):
        m = profile == p
        cw = cal.cw[p]
        full = (cw[q_hi] - cw[q_lo]) / cal.q_mean
        act[m] = full
        lo = np.clip(signup[m], 0, None)
        part = (cw[q_hi[first_q[m]]] - cw[np.maximum(q_lo[first_q[m]], lo)]) / cal.q_mean
        act[np.flatnonzero(m), first_q[m]] = part
    qs = np.arange(nq)
    alive = (qs[None, :] >= first_q[:, None]) & (qs[None, :] < (first_q + cust["life"])[:, None])
    act *= alive
    expected = cust["rate"][:, None] * act
    expected *= 12.5 * n / expected.sum()
    expected[cust["ps"], nq - 1] *= 0.55
    counts = rng.poisson(expected).astype(np.int32)
    buyer = ~cust["potential"]
    none = buyer & (counts.sum(axis=1) == 0)
    counts[np.flatnonzero(none), first_q[none]] = 1
    del expected, act, alive

    flat = counts.ravel()
    rows = np.flatnonzero(flat)
    reps = flat[rows]
    cidx = np.repeat((rows // nq).astype(np.int32), reps)
    q = np.repeat((rows % nq).astype(np.int8), reps)
    r = len(cidx)
    # day inside the quarter, after signup, following the profile's daily weights
    day = np.empty(r, dtype=np.int64)
    u = rng.random(r)
    prof = profile[cidx]
    for p in (0, 1):
        m = prof == p
        cw = cal.cw[p]
        lo = np.maximum(cal.q_start[q[m]], signup[cidx[m]])
        hi = cal.q_start[q[m] + 1]
        target = cw[lo] + u[m] * (cw[hi] - cw[lo])
        d = np.searchsorted(cw, target, side="right") - 1
        day[m] = np.clip(d, lo, hi - 1)
    hour_w = np.array([.3, .15, .08, .05, .04, .05, .1, .3, .6, .9, 1.1, 1.1, 1.0, .9, .9, .95,
                       .95, .95, 1.0, 1.2, 1.4, 1.5, 1.2, .7])
    hour = np.searchsorted(np.cumsum(hour_w) / hour_w.sum(), rng.random(r), side="right")
    hour = np.minimum(hour, 23)
    ts = cal.start_s + day * 86400 + hour * 3600 + rng.integers(0, 3600, size=r)
    order = np.lexsort((cidx, ts))
    cidx, q, ts, day = cidx[order], q[order], ts[order], day[order]

    # category: by group (older, young, organisation) and quarter
    group = np.where(cust["ctype"] > 0, 2, np.where(cust["young"], 1, 0))[cidx]
    mix = np.repeat(CATEGORY_MIX[:, None, :], nq, axis=1)   # (3, nq, K)
    k_cat = mix.shape[2]
    for j, share in enumerate(YOUNG_BEAUTY_SHIFT):
        row = mix[1, nq - 4 + j]
        others = 1 - row[STORY_B_CATEGORY]
        row *= (1 - share) / others
        row[STORY_B_CATEGORY] = share
    cum = np.cumsum(mix, axis=2)
    cum[..., -1] = 1.0
    key = group.astype(np.int64) * nq + q
    flat_cum = (np.arange(3 * nq)[:, None] + cum.reshape(3 * nq, k_cat)).ravel()
    pos = np.searchsorted(flat_cum, key + rng.random(r), side="right")
    cat = np.clip(pos - key * k_cat, 0, k_cat - 1).astype(np.int8)

    # product: price-sensitive customers lean to the cheap end of the (price-sorted) range
    prices = _product_prices()
    ps_row = cust["ps"][cidx]
    u = rng.random(r)
    rank = np.floor(N_PRODUCTS * np.where(ps_row, u ** 2.5, u)).astype(np.int64)
    rank = np.minimum(rank, N_PRODUCTS - 1)
    prod = cat.astype(np.int64) * N_PRODUCTS + rank
    promo = cal.promo[day]
    unit_price = np.round(prices[prod] * np.where(promo, 0.85, 1.0), 2)
    food = cat == 4
    qty = 1 + rng.poisson(np.where(food, 1.0, 0.3))
    org = cust["ctype"][cidx] > 0
    qty = np.where(org, qty * (1 + rng.poisson(1.5, size=r)), qty)
    qty = np.minimum(qty, 200).astype(np.int64)
    amount = np.round(qty * unit_price, 2)
    pref = cust["pref_channel"][cidx]
    other = rng.choice(4, size=r, p=(0.45, 0.30, 0.20, 0.05))
    channel = np.where(rng.random(r) < 0.75, pref, other).astype(np.int8)
    status = np.where(rng.random(r) < 0.01, 1, 0).astype(np.int8)
    return {"cidx": cidx.astype(np.int64), "q": q, "ts": ts, "cat": cat, "prod": prod,
            "qty": qty, "unit_price": unit_price, "amount": amount, "channel": channel,
            "status": status}


def _product_prices() -> np.ndarray:
    """List prices of the N_PRODUCTS products of each category, cheapest first.

    The catalogue is the same for every seed and size (its own fixed random stream).
    """
    rng = np.random.default_rng(CATALOGUE_SEED)
    out = []
    for median in CATEGORY_PRICE:
        p = np.sort(median * rng.lognormal(0.0, 0.5, size=N_PRODUCTS))
        out.append(np.maximum(np.round(p) - 0.1, 9.9))
    return np.concatenate(out)


def _orders_table(sales: dict, cust: dict, cal: _Calendar, lab: dict,
                  rng: np.random.Generator) -> tuple[pd.DataFrame, dict]:
    n_sales = len(sales["ts"])
    number = np.arange(1, n_sales + 1, dtype=np.int64)
    # refunds: separate rows R<number>, negative quantity and amount
    completed = np.flatnonzero(sales["status"] == 0)
    refund_src = completed[rng.random(len(completed)) < 0.02]
    lag = rng.integers(86400, 14 * 86400, size=len(refund_src))
    cols = {
        "prefix": np.concatenate([np.zeros(n_sales, np.int8), np.ones(len(refund_src), np.int8)]),
        "number": np.concatenate([number, number[refund_src]]),
        "cidx": np.concatenate([sales["cidx"], sales["cidx"][refund_src]]),
        "ts": np.concatenate([sales["ts"], np.minimum(sales["ts"][refund_src] + lag, cal.end_s)]),
        "cat": np.concatenate([sales["cat"], sales["cat"][refund_src]]),
        "prod": np.concatenate([sales["prod"], sales["prod"][refund_src]]),
        "channel": np.concatenate([sales["channel"], sales["channel"][refund_src]]),
        "qty": np.concatenate([sales["qty"], -sales["qty"][refund_src]]),
        "unit_price": np.concatenate([sales["unit_price"], sales["unit_price"][refund_src]]),
        "amount": np.concatenate([sales["amount"], -sales["amount"][refund_src]]),
        "status": np.concatenate([sales["status"], np.full(len(refund_src), 2, np.int8)]),
    }
    n_clean = len(cols["ts"])
    cols["region"] = cust["region"][cols["cidx"]]
    cols["sortkey"] = cols["ts"].astype(np.float64)

    # dirty rows, each from a distinct completed sale row and with exactly one defect
    counts = {k: max(1, int(round(f * n_clean))) for k, f in DIRTY_FRACTIONS.items()}
    total = sum(counts.values())
    templates = rng.choice(completed, size=total, replace=False)
    parts, start = {}, 0
    for k, c in counts.items():
        parts[k] = templates[start:start + c]
        start += c
    dirty = {k: {c: v[idx] for c, v in cols.items()} for k, idx in parts.items()}
    next_number = n_sales + 1

    def renumber(block: dict) -> None:
        nonlocal next_number
        m = len(block["number"])
        block["number"] = np.arange(next_number, next_number + m, dtype=np.int64)
        next_number += m

    d = dirty["duplicate_order_id"]
    d["qty"] = d["qty"] + 1
    d["amount"] = np.round(d["qty"] * d["unit_price"], 2)
    for k in ("missing_customer_id", "unparseable_date", "absurd_amount", "unknown_customer",
              "future_date"):
        renumber(dirty[k])
    dirty["missing_customer_id"]["cidx"] = np.full(counts["missing_customer_id"], -1, np.int64)
    d = dirty["absurd_amount"]
    d["qty"] = np.ones_like(d["qty"])
    d["unit_price"] = np.full(len(d["qty"]), ABSURD_AMOUNT)
    d["amount"] = np.full(len(d["qty"]), ABSURD_AMOUNT)
    c = counts["unknown_customer"]
    dirty["unknown_customer"]["cidx"] = cust["n"] + 1000 + rng.choice(10 * cust["n"], size=c,
                                                                      replace=False)
    d = dirty["future_date"]
    future_start = int(np.datetime64(f"{cal.end_year + 5}-01-01", "s").astype(np.int64))
    d["ts"] = future_start + rng.integers(0, 365 * 86400, size=len(d["ts"]))
    for k, block in dirty.items():
        block["sortkey"] = block["sortkey"] + 0.5 + rng.random(len(block["ts"])) * 0.4
        block["kind"] = np.full(len(block["ts"]), list(counts).index(k) + 1, np.int8)
    cols["kind"] = np.zeros(n_clean, np.int8)
    allc = {c: np.concatenate([cols[c]] + [dirty[k][c] for k in counts]) for c in cols}
    order = np.argsort(allc["sortkey"], kind="stable")
    allc = {c: v[order] for c, v in allc.items()}

    order_id = pc.binary_join_element_wise(
        _take(("O", "R"), allc["prefix"]),
        pc.utf8_lpad(pc.cast(pa.array(allc["number"]), pa.string()), 9, "0"), "")
    cid = _cid(cust, allc["cidx"])
    date = pa.array(allc["ts"].astype("datetime64[s]")).cast(pa.string())
    bad = np.flatnonzero(allc["kind"] == list(counts).index("unparseable_date") + 1)
    if len(bad):
        repl = pa.array([BAD_DATES[i % len(BAD_DATES)] for i in range(len(bad))], pa.string())
        mask = np.zeros(len(allc["ts"]), bool)
        mask[bad] = True
        date = pc.replace_with_mask(date, pa.array(mask), repl)
    prod_ids = [f"P{k + 1}{i:03d}" for k in range(len(CATEGORY_PRICE)) for i in range(N_PRODUCTS)]
    table = pa.table({
        "order_id": order_id,
        "customer_id": cid,
        "order_date": date,
        "region": _take(lab["regions"], allc["region"]),
        "category": _take(lab["categories"], allc["cat"]),
        "product_id": _take(prod_ids, allc["prod"]),
        "channel": _take(lab["order_channels"], allc["channel"]),
        "quantity": pa.array(allc["qty"]),
        "unit_price": pa.array(allc["unit_price"]),
        "amount": pa.array(allc["amount"]),
        "status": _take(STATUSES, allc["status"]),
    })
    return table.to_pandas(), counts


# ------------------------------------------------------------------------------ feedback


def _feedback_table(sales: dict, cust: dict, cal: _Calendar, lab: dict, language: str,
                    rng: np.random.Generator) -> tuple[pd.DataFrame, dict]:
    n_fb = int(round(1.2 * cust["n"]))
    ok = np.flatnonzero(sales["status"] == 0)
    src = np.sort(rng.choice(ok, size=n_fb, replace=n_fb > len(ok)))
    cidx = sales["cidx"][src]
    lag = (rng.uniform(0.5, 10.0, size=n_fb) * 86400).astype(np.int64)
    ts = np.minimum(sales["ts"][src] + lag, cal.end_s)
    q = cal.quarter_of_seconds(ts)
    story_a = (cust["region"][cidx] == STORY_A_REGION) & (q == N_QUARTERS - 1)
    mood = rng.normal(0, 0.45, size=n_fb)
    latent = np.empty((n_fb, len(ASPECTS)))
    for j, a in enumerate(ASPECTS):
        latent[:, j] = ASPECT_MEANS[a] + mood + rng.normal(0, 0.7, size=n_fb)
    latent[:, ASPECTS.index("after_sales")] -= 1.1 * story_a
    latent[:, ASPECTS.index("price")] -= 0.4 * cust["ps"][cidx]
    latent[:, ASPECTS.index("service")] += 0.1 * (cust["ctype"][cidx] > 0)
    ratings = np.clip(np.round(latent), 1, 5)
    w = np.array([CSAT_WEIGHTS[a] for a in ASPECTS])
    csat_latent = ratings @ w + rng.normal(0, 0.35, size=n_fb)
    csat = np.clip(np.round(csat_latent), 1, 5).astype(np.int64)
    nps = np.clip(np.round(2.5 * (csat_latent - 1) + 0.8 + rng.normal(0, 1.0, size=n_fb)),
                  0, 10).astype(np.int64)

    # comments: sentiment from csat, aspect = worst (negative) / best (positive) / any (neutral)
    sentiment = np.where(csat >= 4, 2, np.where(csat == 3, 1, 0))
    aspect = np.where(sentiment == 0, latent.argmin(axis=1),
                      np.where(sentiment == 2, latent.argmax(axis=1),
                               rng.integers(0, len(ASPECTS), size=n_fb)))
    variant = rng.integers(0, 1 << 30, size=n_fb)
    templates = _COMMENTS[language]
    flat, base = [], []
    for s in range(3):
        for a in range(len(ASPECTS)):
            base.append((len(flat), len(templates[s][a])))
            flat.extend(templates[s][a])
    base_arr = np.array(base)
    key = sentiment * len(ASPECTS) + aspect
    pick = base_arr[key, 0] + variant % base_arr[key, 1]
    comment = np.asarray(flat, dtype=object)[pick]
    has = rng.random(n_fb) < np.where(sentiment == 0, 0.9, 0.7)
    comment = np.where(has, comment, None)

    rating_cols = {}
    for j, a in enumerate(ASPECTS):
        v = ratings[:, j].copy()
        v[rng.random(n_fb) < 0.02] = np.nan
        rating_cols[f"rating_{a}"] = pd.array(v, dtype="Int64")

    # off-scale scores: csat 7 in k rows, nps 11 in k other rows
    k = max(2, int(round(0.001 * n_fb)))
    bad = rng.choice(n_fb, size=2 * k, replace=False)
    csat[bad[:k]] = 7
    nps[bad[k:]] = 11
    channel = rng.choice(4, size=n_fb, p=(0.35, 0.20, 0.35, 0.10))
    df = pd.DataFrame({
        "customer_id": _cid(cust, cidx).to_pandas(),
        "response_date": pd.to_datetime(ts.astype("datetime64[s]")),
        "csat": csat,
        "nps": nps,
        **rating_cols,
        "channel": _take(lab["feedback_channels"], channel).to_pandas(),
        "comment": pd.array(comment, dtype="str"),
    })
    order = np.argsort(ts, kind="stable")
    df = df.iloc[order].reset_index(drop=True)
    return df, {"csat_off_scale": k, "nps_off_scale": k}


# ------------------------------------------------------------------------------ complaints


def _complaints_table(sales: dict, cust: dict, text_of: dict, cal: _Calendar, lab: dict,
                      language: str, rng: np.random.Generator) -> pd.DataFrame:
    ok = np.flatnonzero(sales["status"] == 0)
    base = ok[rng.random(len(ok)) < 0.02]
    cat = rng.choice(5, size=len(base), p=(0.25, 0.30, 0.20, 0.10, 0.15))
    south_latest = ok[(cust["region"][sales["cidx"][ok]] == STORY_A_REGION)
                      & (sales["q"][ok] == N_QUARTERS - 1)]
    extra = south_latest[rng.random(len(south_latest)) < 0.02 * 0.25]
    src = np.concatenate([base, extra])
    cat = np.concatenate([cat, np.zeros(len(extra), np.int64)])
    m = len(src)
    cidx = sales["cidx"][src]
    lag = (rng.uniform(0.5, 15.0, size=m) * 86400).astype(np.int64)
    opened = np.minimum(sales["ts"][src] + lag, cal.end_s)
    order = np.lexsort((cidx, opened))
    src, cat, cidx, opened = src[order], cat[order], cidx[order], opened[order]
    story = ((cust["region"][cidx] == STORY_A_REGION) & (cal.quarter_of_seconds(opened) == N_QUARTERS - 1)
             & (cat == 0))
    sev_u = rng.random(m)
    severity = np.where(story, np.searchsorted([0.30, 0.75], sev_u, side="right"),
                        np.searchsorted([0.50, 0.85], sev_u, side="right"))
    first = opened + (rng.exponential(1.0, size=m) * np.where(story, 24.0, 8.0) * 3600
                      + 360).astype(np.int64)
    closed = first + (rng.exponential(1.0, size=m) * np.where(story, 7.0, 2.5) * 86400
                      + 0.2 * 86400).astype(np.int64)
    resolved_draw = rng.random(m) < np.where(story, 0.65, 0.9)
    never = rng.random(m) < 0.02
    is_closed = (closed <= cal.end_s) & ~never
    responded = first <= cal.end_s
    resolved = is_closed & resolved_draw

    variant = rng.integers(0, 4, size=m)
    texts = _COMPLAINTS[language]
    flat = np.asarray([t for group in texts for t in group], dtype=object)
    text = flat[cat * 4 + variant]
    # a fixed 2 % of the texts carry the customer's phone or e-mail (for the masking tests)
    n_pii = max(1, int(round(0.02 * m)))
    pii = rng.choice(m, size=n_pii, replace=False)
    phone = text_of["phone"][cidx[pii]]
    mail = text_of["email"][cidx[pii]]
    use_mail = (np.arange(n_pii) % 2 == 1) & (mail != None)  # noqa: E711
    suffix_phone, suffix_mail = _CONTACT[language]
    text[pii] = [t + (suffix_mail.format(e) if um else suffix_phone.format(p))
                 for t, e, p, um in zip(text[pii], mail, phone, use_mail, strict=True)]

    def dt(values: np.ndarray, keep: np.ndarray) -> pd.Series:
        out = values.astype("datetime64[s]")
        out[~keep] = np.datetime64("NaT")
        return pd.to_datetime(out)

    return pd.DataFrame({
        "ticket_id": _ids("T", np.arange(1, m + 1), 8).to_pandas(),
        "customer_id": _cid(cust, cidx).to_pandas(),
        "opened_at": dt(opened, np.ones(m, bool)),
        "category": _take(lab["complaint_categories"], cat).to_pandas(),
        "severity": _take(lab["severities"], severity).to_pandas(),
        "first_response_at": dt(first, responded),
        "closed_at": dt(closed, is_closed),
        "resolved": resolved,
        "text": pd.array(text, dtype="str"),
    })


# ------------------------------------------------------------------------------ interactions


def _interactions_table(cust: dict, sales: dict, cal: _Calendar, lab: dict,
                        rng: np.random.Generator) -> pd.DataFrame:
    n = cust["n"]
    orders_per = np.bincount(sales["cidx"], minlength=n)
    k = rng.poisson(1.0 + 0.45 * orders_per)
    cidx = np.repeat(np.arange(n, dtype=np.int64), k)
    m = len(cidx)
    first_q = np.where(cust["signup"] < 0, 0,
                       cal.day_q[np.clip(cust["signup"], 0, cal.n_days - 1)])
    lo = np.clip(cust["signup"], 0, None)
    last_q = np.minimum(first_q + cust["life"], N_QUARTERS)
    hi = np.where(cust["potential"], cal.n_days, cal.q_start[last_q])
    hi = np.maximum(hi, lo + 1)
    day = lo[cidx] + (rng.random(m) * (hi - lo)[cidx]).astype(np.int64)
    typ = rng.choice(6, size=m, p=(0.35, 0.28, 0.10, 0.05, 0.15, 0.07))
    count = 1 + rng.poisson(np.where(typ <= 1, 2.0, 0.3))
    web = rng.choice(3, size=m, p=(0.5, 0.25, 0.25))
    channel = np.where(typ == 5, 3, np.where(typ == 4, 4, web))
    order = np.lexsort((cidx, day))
    return pd.DataFrame({
        "customer_id": _cid(cust, cidx[order]).to_pandas(),
        "date": pd.to_datetime((cal.start + day[order]).astype("datetime64[s]")),
        "type": _take(INTERACTION_TYPES, typ[order]).to_pandas(),
        "count": count[order].astype(np.int64),
        "channel": _take(lab["interaction_channels"], channel[order]).to_pandas(),
    })


# ------------------------------------------------------------------------------ market


def _market_table(sales: dict, cust: dict, cal: _Calendar, lab: dict,
                  rng: np.random.Generator) -> pd.DataFrame:
    ok = sales["status"] == 0
    region = cust["region"][sales["cidx"][ok]]
    revenue = np.bincount(region, weights=sales["amount"][ok], minlength=4)
    qoy = np.array([q.quarter for q in cal.quarters])
    season_qoy = np.array([cal.season[qoy == k].mean() for k in range(1, 5)])
    trend = 1.015 ** np.arange(-4, N_QUARTERS)      # four extra quarters for the growth
    qoy_ext = np.concatenate([qoy[:4], qoy])
    season = season_qoy[qoy_ext - 1]
    rows = []
    for r in range(4):
        base = revenue[r] / (season[4:] * trend[4:]).sum() / OUR_MARKET_SHARE
        size = base * season * trend * (1 + rng.normal(0, 0.015, size=len(trend)))
        size = np.round(size, -3)
        growth = size[4:] / size[:-4] - 1
        for i, label in enumerate(cal.labels):
            rows.append((label, lab["regions"][r], float(size[4 + i]), round(float(growth[i]), 4)))
    df = pd.DataFrame(rows, columns=["period", "region", "market_size", "growth"])
    df["market_size"] = df["market_size"].astype(np.int64)
    return df


def _competitors_table(market: pd.DataFrame, lab: dict, rng: np.random.Generator) -> pd.DataFrame:
    latest = market["period"].iloc[-1]
    rows = []
    for c, (shares, price, csat, nps, ratings) in enumerate(_COMPETITORS):
        for _, m in market.iterrows():
            r = lab["regions"].index(m["region"])
            story = c == PRICE_PLAYER and r == STORY_C_REGION and m["period"] == latest
            share = shares[r] + rng.normal(0, 0.004) + (0.05 if story else 0.0)
            pidx = 0.82 if story else price + rng.normal(0, 0.008)
            vals = [round(float(x + rng.normal(0, 0.04)), 2) for x in ratings]
            rows.append((
                lab["competitors"][c], m["period"], m["region"], round(float(share), 4),
                round(float(csat + rng.normal(0, 0.03)), 2), round(float(nps + rng.normal(0, 2.0)), 1),
                round(float(pidx), 3), *vals, int(round(m["market_size"] * share, -3)),
            ))
    cols = ["competitor", "period", "region", "market_share", "csat", "nps", "price_index",
            *[f"rating_{a}" for a in ASPECTS], "sales"]
    return pd.DataFrame(rows, columns=cols)


# ------------------------------------------------------------------------------ files


def _file_names(fmt: str) -> dict[str, str]:
    if fmt == "parquet":
        return {t: f"{t}.parquet" for t in TABLE_ORDER}
    return dict(MIXED_FILES)


def _write_table(df: pd.DataFrame, path: Path, table: str, language: str) -> None:
    suffix = path.suffix
    if suffix == ".parquet":
        data = _parquet_bytes(df)
    elif suffix == ".xlsx":
        data = _xlsx_bytes(df, sheet=table)
    else:
        encoding = "gb18030" if (table == "customers" and language == "zh") else "utf-8"
        date_only = table in ("customers", "interactions")
        data = _csv_bytes(df, date_only=date_only, encoding=encoding)
    _atomic_write(path, data)


def _csv_bytes(df: pd.DataFrame, *, date_only: bool, encoding: str) -> bytes:
    """CSV like a spreadsheet export: quotes only when some text needs them (pyarrow: fast)."""
    import pyarrow.csv as pa_csv

    arrays = {}
    for col in df.columns:
        s = df[col]
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            a = pa.array(s.to_numpy().astype("datetime64[s]"), pa.timestamp("s"))
            a = a.cast(pa.date32()).cast(pa.string()) if date_only else a.cast(pa.string())
        else:
            a = pa.Array.from_pandas(s)
        arrays[str(col)] = a
    table = pa.table(arrays)
    needs_quotes = any(
        (pa.types.is_string(a.type) or pa.types.is_large_string(a.type))
        and pc.any(pc.match_substring(a, ch)).as_py()
        for a in arrays.values() for ch in ',"\r\n'
    )
    buf = io.BytesIO()
    buf.write((",".join(arrays) + "\n").encode("utf-8"))
    options = pa_csv.WriteOptions(include_header=False,
                                  quoting_style="needed" if needs_quotes else "none")
    pa_csv.write_csv(table, buf, options)
    data = buf.getvalue()
    return data if encoding == "utf-8" else data.decode("utf-8").encode(encoding)


def _parquet_bytes(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    df.to_parquet(buf, index=False, engine="pyarrow", compression="snappy")
    return buf.getvalue()


_XLSX_PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-'
        'package.core-properties+xml"/>'
        '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.extended-properties+xml"/></Types>'),
    "_rels/.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
        'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
        '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/extended-properties" Target="docProps/app.xml"/></Relationships>'),
    "docProps/app.xml": (
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-'
        'properties"><Application>playbook.sample</Application></Properties>'),
    "docProps/core.xml": (
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://'
        'purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        '<dc:creator>playbook.sample</dc:creator>'
        '<dcterms:created xsi:type="dcterms:W3CDTF">{time}</dcterms:created>'
        '<dcterms:modified xsi:type="dcterms:W3CDTF">{time}</dcterms:modified>'
        '</cp:coreProperties>'),
    "xl/workbook.xml": (
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/styles" Target="styles.xml"/></Relationships>'),
    "xl/styles.xml": (
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        '</cellStyleXfs><cellXfs count="2">'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
        '</cellStyles></styleSheet>'),
}
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_EXCEL_EPOCH = np.datetime64("1899-12-30T00:00:00", "s")


def _xlsx_bytes(df: pd.DataFrame, sheet: str) -> bytes:
    """A one-sheet xlsx workbook, written directly (openpyxl without lxml needs ~0.5 ms a cell).

    Text is stored as inline strings, datetimes as Excel serial numbers with a
    ``yyyy-mm-dd hh:mm:ss`` format, missing values as absent cells. Workbook properties and zip
    entry times are fixed (``FIXED_TIME``), so the same frame always gives the same bytes;
    openpyxl and pandas.read_excel read it back unchanged.
    """
    from xml.sax.saxutils import escape

    n = len(df)
    letters = [_column_letter(i) for i in range(len(df.columns))]
    rownum = np.arange(2, n + 2).astype(str).astype(object)
    columns = []
    for letter, col in zip(letters, df.columns, strict=True):
        s = df[col]
        ref = '<c r="' + letter + rownum
        present = s.notna().to_numpy()
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            secs = (s.to_numpy().astype("datetime64[s]") - _EXCEL_EPOCH).astype(np.int64)
            days, rest = np.divmod(secs, 86400)
            serial = np.char.add(days.astype(str), np.char.lstrip(
                np.char.mod("%.10f", rest / 86400.0), "0")).astype(object)
            cells = ref + '" s="1"><v>' + serial + "</v></c>"
        elif pd.api.types.is_bool_dtype(s.dtype):
            v = s.fillna(False).astype(int).astype(str).to_numpy(dtype=object)
            cells = ref + '" t="b"><v>' + v + "</v></c>"
        elif pd.api.types.is_integer_dtype(s.dtype):
            v = s.fillna(0).to_numpy(dtype=np.int64).astype(str).astype(object)
            cells = ref + '"><v>' + v + "</v></c>"
        elif pd.api.types.is_numeric_dtype(s.dtype):
            v = np.array([repr(float(x)) for x in s.fillna(0).tolist()], dtype=object)
            cells = ref + '"><v>' + v + "</v></c>"
        else:
            text = s.astype("str").fillna("")
            for raw, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
                text = text.str.replace(raw, entity, regex=False)
            cells = ref + '" t="inlineStr"><is><t>' + text.to_numpy(dtype=object) + "</t></is></c>"
        columns.append(np.where(present, cells, ""))
    header = "".join(f'<c r="{letter}1" t="inlineStr"><is><t>{escape(str(c))}</t></is></c>'
                     for letter, c in zip(letters, df.columns, strict=True))
    body = io.StringIO()
    body.write(_XML_HEAD)
    body.write('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
               f'<dimension ref="A1:{letters[-1]}{n + 1}"/><sheetData>')
    body.write(f'<row r="1">{header}</row>')
    for r, cells in zip(rownum.tolist(), zip(*columns, strict=True), strict=True):
        body.write(f'<row r="{r}">' + "".join(cells) + "</row>")
    body.write("</sheetData></worksheet>")
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    parts = {name: _XML_HEAD + xml.replace("{time}", stamp).replace("{sheet}", escape(sheet))
             for name, xml in _XLSX_PARTS.items()}
    parts["xl/worksheets/sheet1.xml"] = body.getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in ("[Content_Types].xml", "_rels/.rels", "docProps/app.xml", "docProps/core.xml",
                     "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
                     "xl/worksheets/sheet1.xml"):
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            zf.writestr(info, parts[name].encode("utf-8"))
    return out.getvalue()


def _column_letter(i: int) -> str:
    out = ""
    i += 1
    while i:
        i, rem = divmod(i - 1, 26)
        out = chr(65 + rem) + out
    return out


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _read_manifest(out: Path) -> dict | None:
    try:
        return json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _up_to_date(out: Path, arguments: dict, files: dict[str, str]) -> dict[str, Path] | None:
    manifest = _read_manifest(out)
    if not manifest or manifest.get("version") != GENERATOR_VERSION \
            or manifest.get("arguments") != arguments or manifest.get("files") != files:
        return None
    sizes = manifest.get("bytes", {})
    for name in [*files.values(), TRUTH_FILE]:
        p = out / name
        if not p.is_file() or p.stat().st_size != sizes.get(name):
            return None
    return {t: out / files[t] for t in TABLE_ORDER}


__all__ = ["ASPECTS", "CSAT_WEIGHTS", "DIRTY_FRACTIONS", "GENERATOR_VERSION", "build_tables",
           "generate", "story_facts", "story_truth"]

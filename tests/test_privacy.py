import numpy as np
import pandas as pd
import pandas.testing as pdt

from playbook.privacy import (
    FREE_TEXT_COLUMNS,
    PERSONAL_COLUMNS,
    find_personal_data,
    mask_email,
    mask_name,
    mask_personal,
    mask_phone,
    scrub_text,
)


def test_mask_name_keeps_first_character():
    s = pd.Series(["张三丰", "John Smith", "张", " 李四 ", None, ""], dtype=object)
    got = mask_name(s)
    assert got.iloc[:4].tolist() == ["张**", "J*********", "*", "李*"]
    assert pd.isna(got.iloc[4])
    assert got.iloc[5] == ""


def test_mask_phone_formats():
    s = pd.Series(["13812341234", "+86 138-1234-1234", "0086 13912345678", "010-12345678",
                   "12345", "n/a", None], dtype=object)
    got = mask_phone(s)
    assert got.iloc[:6].tolist() == ["138****1234", "138****1234", "139****5678",
                                     "010****5678", "***45", "***"]
    assert pd.isna(got.iloc[6])


def test_mask_phone_numeric_input_has_no_float_suffix():
    assert mask_phone(pd.Series([13812341234.0, np.nan])).iloc[0] == "138****1234"
    assert mask_phone(pd.Series([13812341234, 1234567], dtype="int64")).tolist() == [
        "138****1234", "*****67"]


def test_mask_email():
    s = pd.Series(["alice@example.com", "b@x.cn", "not-an-email", None], dtype=object)
    got = mask_email(s)
    assert got.iloc[:3].tolist() == ["a****@example.com", "*@x.cn", "n***********"]
    assert pd.isna(got.iloc[3])


def test_mask_personal_masks_present_columns_only_and_leaves_input():
    df = pd.DataFrame({"customer_id": ["C1", "C2"], "name": ["张三丰", "王五"],
                       "phone": ["13812341234", None], "city": ["北京", "上海"]})
    before = df.copy()
    got = mask_personal(df)
    pdt.assert_frame_equal(df, before)
    assert got["name"].tolist() == ["张**", "王*"]
    assert got["phone"].iloc[0] == "138****1234" and pd.isna(got["phone"].iloc[1])
    assert got["customer_id"].tolist() == ["C1", "C2"]
    assert got["city"].tolist() == ["北京", "上海"]
    assert "email" not in got.columns
    assert PERSONAL_COLUMNS == ("name", "phone", "email")
    assert FREE_TEXT_COLUMNS == ("comment", "text")


def test_scrub_text_chinese_sentence():
    s = pd.Series([
        "客户王女士来电13812341234投诉，邮箱wang.li@example.com，身份证110101199003071234，"
        "座机010-12345678。",
        "请回电 +86 139-1234-5678",
        "订单 A123 金额 2999 元，没有个人信息",
        None,
    ])
    before = s.copy()
    got = scrub_text(s)
    pdt.assert_series_equal(s, before)
    assert got.iloc[0] == (
        "客户王女士来电138****1234投诉，邮箱w******@example.com，身份证110***********1234，"
        "座机010****5678。"
    )
    assert got.iloc[1] == "请回电 139****5678"
    assert got.iloc[2] == "订单 A123 金额 2999 元，没有个人信息"
    assert pd.isna(got.iloc[3])


def test_scrub_text_leaves_long_digit_runs_that_are_not_phones():
    got = scrub_text(pd.Series(["order 202607011234567890123 done", "qty 12345678901234"]))
    assert got.tolist() == ["order 202607011234567890123 done", "qty 12345678901234"]


def test_find_personal_data():
    text = "<p>张三 bought; call 13812341234; 张** masked; a****@example.com</p>"
    values = ["张三", "李四", "138-1234-1234", "alice@example.com", None, "", "张"]
    assert find_personal_data(text, values) == ["张三", "138-1234-1234"]
    assert find_personal_data(text, []) == []
    masked = scrub_text(pd.Series([text])).iloc[0]
    assert find_personal_data(masked, values) == ["张三"]

"""GB/T 2260 region table read from python-stdnum's data."""

from jiuyuan import regions


def test_all_of_hunan_is_there():
    # Hunan: 14 prefecture-level divisions and 122 county-level ones.
    cities = [r for c, r in regions.all_regions().items() if c.startswith("43") and r.level == "city" and r.current]
    assert len(cities) == 14
    assert len(regions.current_counties("43")) == 122


def test_jiaxing_qingdao_guangdong_places_of_the_seeds():
    assert regions.full_name("330402") == "浙江省嘉兴市南湖区"  # 003: Jiaxing
    assert regions.full_name("370202") == "山东省青岛市市南区"  # 001: Qingdao
    assert regions.lookup("440000").name == "广东省"  # 001: Guangdong


def test_renamed_code_keeps_its_history():
    furong = regions.all_regions()["430102"]
    assert [s.name for s in furong.spans] == ["东区", "芙蓉区"]
    assert furong.current and furong.spans[-1].start == 1996


def test_ancestors_and_prefix():
    assert regions.ancestors("430102") == ["430000", "430100", "430102"]
    assert regions.prefix("430000") == "43"
    assert regions.prefix("430100") == "4301"
    assert regions.prefix("430102") == "430102"

from graph.headlines import BodyCasing, body_casing, is_shouting, recase


def test_is_shouting():
    assert is_shouting("Netanyahu Faces Stalemate in Gaza Truce Talks After Washington Meetings")
    assert is_shouting("SOCCER - JAPAN GET LUCKY WIN , CHINA IN SURPRISE DEFEAT .")
    assert is_shouting("LONDON 1996-12-06")
    assert not is_shouting("Tough round in Doha")
    assert not is_shouting("Netanyahu said the talks in Gaza City Would Go On.")


def test_recase_uses_body_casing_and_keeps_length():
    text = ("Netanyahu Faces Stalemate in Gaza Truce Talks\n\n"
            "Netanyahu said the truce talks in Gaza faced a stalemate.")
    casing = body_casing(text, [(0, 45), (47, len(text))])
    line = text[:45]
    assert recase(line, casing) == "Netanyahu faces stalemate in Gaza truce talks"
    assert len(recase(line, casing)) == len(line)


def test_recase_capitals_headline_and_dateline():
    casing = BodyCasing(frozenset({"get", "win", "in"}), {"japan": "Japan", "china": "China"})
    assert recase("SOCCER - JAPAN GET LUCKY WIN , CHINA IN SURPRISE DEFEAT .", casing) == (
        "soccer - Japan get lucky win , China in surprise defeat .")
    assert recase("LONDON 1996-12-06", casing) == "London 1996-12-06"


def test_recase_possessive_keeps_length():
    casing = BodyCasing(frozenset(), {"nigeria": "Nigeria"})
    assert recase("LAGOS WATCHES NIGERIA'S BUDGET VOTE CLOSELY", casing).split()[2] == "Nigeria's"

"""Hostile and careless input to the calculators (issue 12): the number reader, handle_request, the command line.

Property-based (Hypothesis): any JSON value and any text in every field gets a JSON answer and never an
exception; numbers written in every accepted form, in both languages, read back as the number written; every
ambiguous or refused form is refused naming the field. Then each case of the issue as a regression test, in both
languages. Hangs (the `0e-999999999` case) are tried in a subprocess with a timeout, so a regression fails the
test instead of stopping the suite.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from calculators import CalculatorInputError, absentee_tier, handle_request, lookup_consequence
from calculators.numbers import EXCERPT, RULES, read
from calculators.requests import CALCULATORS, MAX_DEPTH, MAX_REQUEST
from calculators.words import LANGUAGES, WORDS
from tests.conftest import PROJECT

FIELDS = ("behavior", "school_level", "offense", "damage_usd", "days_absent", "days_enrolled")
NUMERIC = tuple(RULES)
# Generous: a request takes about a millisecond; this only tells an answer from a hang or a quadratic blow-up.
ANSWER_WITHIN_S = 2.0

# The examples are many but cheap; no deadline per example (a loaded 2-core CI machine), the time is asserted.
PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                            HealthCheck.data_too_large])


def answer(data, text) -> dict:
    started = time.perf_counter()
    out = handle_request(text, data=data)
    elapsed = time.perf_counter() - started
    assert elapsed < ANSWER_WITHIN_S, f"{elapsed:.1f} s for {str(text)[:80]!r}"
    response = json.loads(out)
    assert isinstance(response["ok"], bool)
    if not response["ok"]:
        error = response["error"]
        assert isinstance(error["message"], str) and error["message"] and "Traceback" not in error["message"]
        assert len(error["message"]) < 1200, "a message quotes a short excerpt, never the whole input"
    return response


def ask(data, calculator, lang="en", **args) -> dict:
    return answer(data, json.dumps({"calculator": calculator, "lang": lang, "args": args}))


# ---------------------------------------------------------------- any input gets a JSON answer

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)
number_like = st.text(alphabet="0123456789.,-+$eExX _\u00a0\uff10\uff11\u0661٫٬", max_size=24)
field_value = json_values | number_like | st.sampled_from(
    ["0e-999999999", "1e999999", "NaN", "-Infinity", "0x1F", "1_000", "９９９", "1,000", "1.000", "999,99",
     "1.000,50", "17.9", "$1,000.01", "x" * 100_000, "9" * 5000])
requests = st.fixed_dictionaries({
    "calculator": st.sampled_from(sorted(CALCULATORS)) | json_values,
    "lang": st.sampled_from(["en", "es", "es-MX"]) | json_values,
    "args": st.dictionaries(st.sampled_from(FIELDS), field_value, max_size=6) | json_values,
})


@PROPERTY
@given(request=requests)
def test_any_request_gets_a_json_answer_and_never_an_exception(data, request):
    answer(data, json.dumps(request))


@PROPERTY
@given(value=json_values)
@example(value=json.loads('[' * 40 + ']' * 40))
def test_any_json_value_as_the_whole_request_gets_a_json_answer(data, value):
    answer(data, json.dumps(value))


@PROPERTY
@given(text=st.text(max_size=300) | st.binary(max_size=100))
@example(text="[" * 100_000)
@example(text='{"calculator": "absentee", "args": {"days_absent": ' + "[" * 5000)
@example(text='"' + '\\"' * 8000)  # an unclosed string of escaped quotes: scanned once, not once per quote
@example(text=b"\xff\xfe")
def test_any_text_or_bytes_as_the_request_gets_a_json_answer(data, text):
    answer(data, text)


@PROPERTY
@given(field=st.sampled_from(NUMERIC), text=st.text(max_size=60), lang=st.sampled_from(LANGUAGES))
def test_any_text_in_a_number_field_is_read_or_refused_naming_the_field(field, text, lang):
    try:
        reading = read(text, field, lang)
    except CalculatorInputError as exc:
        assert exc.field == field and exc.lang == lang
        assert WORDS[lang][f"field_{field}"] in exc.message and len(exc.message) < 600
    else:
        assert abs(reading.value) <= RULES[field].maximum
        assert set(text.strip()) <= set("0123456789.,-+$ ")  # only ASCII digits and the separators were read


def test_not_a_request_is_answered(data):
    assert answer(data, None)["error"]["code"] == "bad_json"
    assert answer(data, "x" * (MAX_REQUEST + 1))["error"]["code"] == "request_too_large"
    assert answer(data, "x" * 1_000_000)["error"]["code"] == "request_too_large"  # refused before parsing
    nested = "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)
    assert answer(data, nested)["error"]["code"] == "request_too_deep"
    brackets_in_a_string = json.dumps({"calculator": "absentee", "args": {"days_absent": "[" * 50, "days_enrolled": 1}})
    assert answer(data, brackets_in_a_string)["error"]["field"] == "days_absent"


# ---------------------------------------------------------------- numbers in every accepted form read back right

amounts = (st.decimals(min_value=0, max_value=9_999, places=2)
           | st.decimals(min_value=0, max_value=99_999_999, places=2)).map(lambda d: d.normalize())


@st.composite
def written(draw, lang: str):
    """(value, text): a number as a person writes it in `lang`, in a form the rules read without doubt.

    Any of the language's (thousands, decimal) marks, the decimal part padded to 2 places or not, spaces around.
    Left out: in Spanish a whole number with one separator ("1.234", "1,234"), which is ambiguous (refused: see the
    next test); such a number is written with its cents here."""
    amount = draw(amounts)
    own_places = max(0, -amount.as_tuple().exponent)
    places = draw(st.integers(own_places, 2))
    marks = [(None, "."), (",", ".")] + ([(None, ","), (".", ",")] if lang == "es" else [])
    thousands, decimal = draw(st.sampled_from(marks))
    if lang == "es" and thousands and 1_000 <= amount < 1_000_000 and places == 0:
        places = 2
    whole, _, fraction = f"{amount:.{places}f}".partition(".")
    text = (f"{int(whole):,}".replace(",", thousands) if thousands else whole) + (decimal + fraction if fraction else "")
    text = draw(st.sampled_from(["", " ", "\u00a0"])) + text + draw(st.sampled_from(["", " "]))
    return Fraction(amount), text


@settings(max_examples=500, deadline=None)
@given(st.data())
def test_a_number_written_in_any_accepted_form_reads_back_as_that_number(data):
    lang = data.draw(st.sampled_from(LANGUAGES))
    value, text = data.draw(written(lang))
    money = data.draw(st.booleans())
    field = "damage_usd" if money else "days_enrolled"
    if money and data.draw(st.booleans()):
        text = "$" + text.lstrip()
    if value > RULES[field].maximum:
        with pytest.raises(CalculatorInputError) as err:
            read(text, field, lang)
        assert err.value.code == "too_large"
        return
    reading = read(text, field, lang)
    assert reading.value == value, text
    shown = reading.read_as(lang).shown
    assert read(shown, field, lang).value == value  # what the page shows back reads as the same number


@settings(max_examples=300, deadline=None)
@given(whole=st.integers(1, 999), group=st.integers(0, 999), separator=st.sampled_from([",", "."]),
       field=st.sampled_from(["damage_usd", "days_absent", "days_enrolled", "offense"]))
def test_in_spanish_one_separator_before_three_digits_is_refused_as_ambiguous(whole, group, separator, field):
    text = f"{whole}{separator}{group:03d}"  # 1,000 / 1.000 / 12,500: a thousand, or one with three decimals
    with pytest.raises(CalculatorInputError) as err:
        read(text, field, "es")
    assert err.value.code == "ambiguous" and err.value.field == field
    assert f"{whole}{group:03d}" in err.value.message  # both readings are shown, so the reader can choose


@settings(max_examples=300, deadline=None)
@given(whole=st.integers(0, 99_999), fraction=st.text("0123456789", min_size=1, max_size=2),
       lang=st.sampled_from(LANGUAGES))
def test_a_decimal_comma_is_read_in_spanish_and_refused_in_english(whole, fraction, lang):
    text = f"{whole},{fraction}"  # never a thousands separator: fewer than three digits follow it
    if lang == "es":
        assert read(text, "days_enrolled", "es").value == Fraction(f"{whole}.{fraction}")
    else:
        with pytest.raises(CalculatorInputError) as err:
            read(text, "days_enrolled", "en")
        assert err.value.code == "not_number" and WORDS["en"]["number_forms"] in err.value.message


def _foreign_digits(text: str, zero: int) -> str:
    return "".join(chr(zero + int(c)) if c.isdigit() else c for c in text)


@settings(max_examples=300, deadline=None)
@given(value=st.decimals(min_value=0, max_value=9999, places=2), lang=st.sampled_from(LANGUAGES),
       field=st.sampled_from(NUMERIC), form=st.sampled_from([
           "exponent", "exponent_upper", "hex", "fullwidth", "arabic_indic", "underscore", "space_inside",
           "nan", "infinity"]))
def test_exponents_hex_odd_digits_nan_and_infinity_are_refused(value, lang, field, form):
    plain = f"{value:f}"
    text = {
        "exponent": f"{plain}e0", "exponent_upper": f"{plain}E-999999999", "hex": f"0x{int(value):x}",
        "fullwidth": _foreign_digits(plain, 0xFF10), "arabic_indic": _foreign_digits(plain, 0x0660),
        "underscore": f"1_{int(value):03d}", "space_inside": f"1 {int(value):03d}", "nan": "nan",
        "infinity": "-Infinity",
    }[form]
    started = time.perf_counter()
    with pytest.raises(CalculatorInputError) as err:
        read(text, field, lang)
    assert time.perf_counter() - started < ANSWER_WITHIN_S
    expected = "not_finite" if form in ("nan", "infinity") else "not_number"
    assert err.value.field == field and err.value.code == expected


@pytest.mark.parametrize("field", NUMERIC)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_values_beyond_a_fields_bound_are_refused(field, lang):
    rule = RULES[field]
    for too_big in (rule.maximum + 1, str(rule.maximum * 10), 10 ** 400, float(rule.maximum) * 2):
        with pytest.raises(CalculatorInputError) as err:
            read(too_big, field, lang)
        assert err.value.code == "too_large" and err.value.field == field
    assert read(rule.maximum, field, lang).value == rule.maximum


# ---------------------------------------------------------------- the cases, in both languages


def test_999_comma_99_dollars_in_spanish_is_999_99_not_99999(data):
    r = lookup_consequence("vandalism", "elementary", 1, "999,99", "es", data=data)
    assert r.damage_usd == 999.99 and r.band.id == "level-1"
    assert r.read_as[0].text == "Valor en dólares: leído como 999.99 dólares."
    response = ask(data, "consequence", "es", behavior="vandalism", school_level="elementary", offense="1",
                   damage_usd="999,99")
    assert response["view"]["read_as"] == ["Valor en dólares: leído como 999.99 dólares."]
    assert response["result"]["band"]["id"] == "level-1"
    en = ask(data, "consequence", "en", behavior="vandalism", school_level="elementary", offense="1",
             damage_usd="999,99")  # in English the comma separates thousands only: refused, never read as 99999
    assert en["error"]["field"] == "damage_usd" and en["error"]["code"] == "not_number"
    assert "Value in dollars" in en["error"]["message"] and "999.99" in en["error"]["message"]
    r = lookup_consequence("vandalism", "elementary", 1, "999.99", "en", data=data)
    assert r.band.id == "level-1" and r.read_as[0].text == "Value in dollars: read as 999.99 dollars."


def test_1000_comma_50_in_spanish_is_a_thousand_dollars_and_fifty_cents(data):
    for lang, text in (("es", "1.000,50"), ("es", "1,000.50"), ("en", "1,000.50"), ("en", "$1,000.50")):
        r = lookup_consequence("vandalism", "elementary", 1, text, lang, data=data)
        assert r.damage_usd == 1000.5 and r.band.id == "level-2", (lang, text)
    assert lookup_consequence("vandalism", "elementary", 1, "1.000,50", "es", data=data).read_as[0].text == \
        "Valor en dólares: leído como 1000.50 dólares."
    with pytest.raises(CalculatorInputError) as err:  # English reads no decimal comma (and never 1.0005)
        lookup_consequence("vandalism", "elementary", 1, "1.000,50", "en", data=data)
    assert err.value.field == "damage_usd" and err.value.code == "not_number"


def test_one_thousand_with_a_comma_is_1000_days_in_english_and_ambiguous_in_spanish(data):
    t = absentee_tier(1, "1,000", "en", data=data)
    assert t.days_enrolled == 1000 and t.tier == 1 and t.rate_percent == 0.1
    assert t.read_as[1].text == "Days enrolled: read as 1,000 days."
    with pytest.raises(CalculatorInputError) as err:
        absentee_tier(1, "1,000", "es", data=data)
    assert err.value.code == "ambiguous" and err.value.field == "days_enrolled"
    assert "“1,000” se puede leer como 1 o 1000" in err.value.message
    assert absentee_tier(1, "1000", "es", data=data).days_enrolled == 1000


@pytest.mark.parametrize("lang", LANGUAGES)
def test_class_period_days_absent_such_as_17_9_are_accepted(data, lang):
    for text in ("17.9", "17,9" if lang == "es" else "17.90", 17.9):
        t = absentee_tier(text, "120", lang, data=data)
        assert t.days_absent == 17.9 and t.rate_percent == 14.917
    assert absentee_tier("17.95", 120, lang, data=data).days_absent == 17.95
    assert ask(data, "absentee", lang, days_absent="17.9", days_enrolled="120")["view"]["read_as"][0] == \
        {"en": "Days absent: read as 17.9 days.", "es": "Días de ausencia: leído como 17.9 días."}[lang]
    with pytest.raises(CalculatorInputError) as err:
        absentee_tier("17.9555", 120, lang, data=data)  # ("17.955" is ambiguous in Spanish)
    assert err.value.code == "decimals" and err.value.field == "days_absent"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_400_digit_integer_is_refused_naming_the_field(data, lang):
    for digits in (400, 5000):  # past 4,300 digits int() itself raises: the JSON reader never converts it
        text = '{"calculator": "absentee", "lang": "%s", "args": {"days_absent": %s, "days_enrolled": 1}}' % (
            lang, "9" * digits)
        error = answer(data, text)["error"]
        assert error["field"] == "days_absent" and error["code"] == "too_large"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_1_mb_behavior_name_is_quoted_as_a_short_excerpt(data, lang):
    name = "x" * 1_000_000
    with pytest.raises(CalculatorInputError) as err:
        lookup_consequence(name, "elementary", 1, lang=lang, data=data)
    assert err.value.field == "behavior" and len(err.value.message) < 400 and "x" * EXCERPT not in err.value.message
    small = "y" * (MAX_REQUEST - 200)  # under the request bound: handle_request reads it and quotes an excerpt
    error = ask(data, "consequence", lang, behavior="x", school_level=small, offense=1)["error"]
    assert error["field"] == "school_level" and len(error["message"]) < 400
    error = ask(data, "consequence", lang, behavior=1, school_level="elementary", offense=1, **{small: 1})["error"]
    assert error["code"] == "unexpected_arg" and len(error["message"]) < 400 and len(error["field"]) <= EXCERPT


@pytest.mark.parametrize("lang", LANGUAGES)
def test_deep_nesting_is_answered_not_a_recursion_error(data, lang):
    for depth in (MAX_DEPTH + 1, 1_000, 5_000):
        args = "[" * depth + "]" * depth
        text = '{"calculator": "absentee", "lang": "%s", "args": {"days_absent": %s}}' % (lang, args)
        if len(text) <= MAX_REQUEST:
            assert answer(data, text)["error"]["code"] == "request_too_deep"
    assert ask(data, "absentee", lang, days_absent=[[[1]]], days_enrolled=1)["error"]["field"] == "days_absent"


# ---------------------------------------------------------------- the command line


def cli(*args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "calculators", *args], capture_output=True, text=True,
                          cwd=PROJECT, encoding="utf-8", timeout=timeout)


@pytest.fixture(scope="module")
def data_path(data, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("input") / "handbook.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("lang", LANGUAGES)
def test_cli_0e_minus_999999999_is_refused_at_once(data_path, lang):
    for args in (["absentee", "--absent", "0e-999999999", "--enrolled", "120"],
                 ["consequence", "vandalism", "--level", "elementary", "--damage", "0e-999999999"]):
        out = cli("--data", str(data_path), *args, "--lang", lang, timeout=30)  # it hung before issue 12
        assert out.returncode == 2 and "Traceback" not in out.stderr and "0e-999999999" in out.stderr
        assert WORDS[lang]["number_forms"] in out.stderr


def test_cli_reads_every_argument_through_the_same_reader(data_path):
    out = cli("--data", str(data_path), "absentee", "--absent", "1", "--enrolled", "1,000", "--json")
    result = json.loads(out.stdout)
    assert out.returncode == 0 and result["days_enrolled"] == 1000 and result["tier"] == 1
    out = cli("--data", str(data_path), "absentee", "--absent", "1", "--enrolled", "1,000", "--lang", "es")
    assert out.returncode == 2 and "se puede leer como 1 o 1000" in out.stderr
    out = cli("--data", str(data_path), "consequence", "vandalism", "--level", "elementary", "--damage", "999,99",
              "--lang", "es", "--json")
    assert out.returncode == 0 and json.loads(out.stdout)["band"]["id"] == "level-1"
    out = cli("--data", str(data_path), "consequence", "FOR", "--level", "elementary", "--offense", "1e1")
    assert out.returncode == 2 and WORDS["en"]["field_offense"] in out.stderr


@pytest.mark.parametrize("content, says", [
    (None, "does not exist"),
    ("folder", "is a folder"),
    (b"{\"schema\": 1, \"name\": \"Se\xf1ora\"}", "save the file as UTF-8"),
    (b"{\n\"schema\": 1,\n oops", "line 3: not JSON"),
    (b"[" * 100_000 + b"]" * 100_000, "not calculator data"),
    (b"{\"schema\": 7}", "schema 7"),
    (b"{\"schema\": 1}", "not calculator data the calculators can read"),
    (b"{\"schema\": 1, \"languages\": [\"en\"], \"matrices\": 5, \"codes\": []}", "not calculator data"),
])
def test_cli_data_file_that_is_not_calculator_data_gets_a_message(tmp_path, content, says):
    path = tmp_path / "data.json"
    if content == "folder":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    out = cli("--data", str(path), "consequence", "FOR", "--level", "elementary")
    assert out.returncode == 1 and says in out.stderr and str(path) in out.stderr
    assert "Traceback" not in out.stderr and out.stdout == ""


def test_cli_data_that_is_a_device_is_refused_not_read_forever():
    out = cli("--data", "/dev/zero", "absentee", "--absent", "1", "--enrolled", "2", timeout=30)
    assert out.returncode == 1 and "is not a regular file" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_json_number_past_float_range_is_too_large_not_infinite(data, lang):
    for token in ("1e400", "-1e400"):
        text = '{"calculator": "absentee", "lang": "%s", "args": {"days_absent": 1, "days_enrolled": %s}}' % (
            lang, token)
        assert answer(data, text)["error"] | {"message": ""} == {"message": "", "field": "days_enrolled",
                                                                 "code": "too_large"}


def test_an_ambiguous_reading_with_decimals_is_written_in_full_and_said_so():
    with pytest.raises(CalculatorInputError) as err:
        read("1,234", "damage_usd", "es")  # dollars have cents, yet 1.234 is shown whole, never rounded to 1.23
    assert "“1,234” se puede leer como 1.234 (con decimales) o 1234." in err.value.message


def test_cli_output_to_a_reader_that_stopped_reading_is_no_traceback(data, tmp_path):
    # the compiled data is given, not the packaged copy: a fresh clone's `make test` has not run `make site`
    compiled = tmp_path / "handbook.json"
    compiled.write_text(json.dumps(data), encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "calculators", "--data", str(compiled), "behaviors",
                             "--level", "elementary"], cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # as `| head -0` does: the answer's write meets a closed pipe
    stderr = proc.stderr.read().decode()
    assert (proc.wait(timeout=30), stderr) == (0, "")

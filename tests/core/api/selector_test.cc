#include "orch/api/selector.h"

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "orch/api/object.h"

using orch::FieldSelector;
using orch::Labels;
using orch::LabelSelector;
using orch::LabelSelectorRequirement;
using orch::LabelSelectorSpec;
using Op = LabelSelector::Operator;

namespace {

const std::string kNameRegex =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const std::string kValueRegex =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used "
    "for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

LabelSelector MustParse(const std::string& text) {
  absl::StatusOr<LabelSelector> selector = LabelSelector::Parse(text);
  REQUIRE_MESSAGE(selector.ok(), text, " -> ", selector.status().ToString());
  return *selector;
}

// The canonical text of a selector that must parse.
std::string Canonical(const std::string& text) { return MustParse(text).ToString(); }

// The message of a parse that must fail with InvalidArgument.
std::string ParseError(const std::string& text) {
  absl::StatusOr<LabelSelector> selector = LabelSelector::Parse(text);
  REQUIRE_MESSAGE(!selector.ok(), text, " parsed as ", selector.ok() ? selector->ToString() : "");
  CHECK(selector.status().code() == absl::StatusCode::kInvalidArgument);
  return std::string(selector.status().message());
}

bool Matches(const std::string& text, const Labels& labels) { return MustParse(text).Matches(labels); }

FieldSelector MustParseFields(const std::string& text) {
  absl::StatusOr<FieldSelector> selector = FieldSelector::Parse(text);
  REQUIRE_MESSAGE(selector.ok(), text, " -> ", selector.status().ToString());
  return *selector;
}

std::string FieldParseError(const std::string& text) {
  absl::StatusOr<FieldSelector> selector = FieldSelector::Parse(text);
  REQUIRE_MESSAGE(!selector.ok(), text);
  CHECK(selector.status().code() == absl::StatusCode::kInvalidArgument);
  return std::string(selector.status().message());
}

}  // namespace

TEST_CASE("label selector: every operator parses to its requirement") {
  using R = LabelSelector::Requirement;
  CHECK(MustParse("a=b").requirements() == std::vector<R>{{"a", Op::kEquals, {"b"}}});
  CHECK(MustParse("a==b").requirements() == std::vector<R>{{"a", Op::kEquals, {"b"}}});
  CHECK(MustParse("a!=b").requirements() == std::vector<R>{{"a", Op::kNotEquals, {"b"}}});
  CHECK(MustParse("a in (y,x,y)").requirements() == std::vector<R>{{"a", Op::kIn, {"x", "y"}}});
  CHECK(MustParse("a notin (x)").requirements() == std::vector<R>{{"a", Op::kNotIn, {"x"}}});
  CHECK(MustParse("a").requirements() == std::vector<R>{{"a", Op::kExists, {}}});
  CHECK(MustParse("!a").requirements() == std::vector<R>{{"a", Op::kDoesNotExist, {}}});
  CHECK(MustParse("a>10").requirements() == std::vector<R>{{"a", Op::kGreaterThan, {"10"}}});
  CHECK(MustParse("a<3").requirements() == std::vector<R>{{"a", Op::kLessThan, {"3"}}});
}

TEST_CASE("label selector: canonical text") {
  CHECK(Canonical("") == "");
  CHECK(Canonical("  \t\n ") == "");
  CHECK(Canonical("a==b") == "a=b");
  CHECK(Canonical("a in (y,x)") == "a in (x,y)");
  CHECK(Canonical("a notin(y,x)") == "a notin (x,y)");
  CHECK(Canonical("!a") == "!a");
  CHECK(Canonical("a>1,b<2") == "a>1,b<2");
  CHECK(Canonical("z=1,a=2,m") == "a=2,m,z=1");
  CHECK(Canonical("  a  =  b  ,\tc in ( d , e )\n,\r!f ") == "a=b,c in (d,e),!f");
  CHECK(Canonical("a=b,a=c,a") == "a=b,a=c,a");  // duplicates kept, in the order written
  CHECK(Canonical("example.com/app=web,app.kubernetes.io/name in (x)") ==
        "app.kubernetes.io/name in (x),example.com/app=web");
}

TEST_CASE("label selector: empty values and keyword-like names") {
  CHECK(Canonical("a=") == "a=");
  CHECK(Canonical("a=,b=c") == "a=,b=c");
  CHECK(Canonical("a!=") == "a!=");
  CHECK(Canonical("a in ()") == "a in ()");
  CHECK(Canonical("a in (x,)") == "a in (,x)");
  CHECK(Canonical("a in (,x)") == "a in (,x)");
  CHECK(Canonical("a in (x,,y)") == "a in (,x,y)");
  CHECK(Canonical("x in (foo,,baz),y,z notin ()") == "x in (,baz,foo),y,z notin ()");
  // `in` and `notin` are names wherever a key or value is expected.
  CHECK(Canonical("in in (in)") == "in in (in)");
  CHECK(Canonical("notin notin (notin,in)") == "notin notin (in,notin)");
  CHECK(Canonical("a=in") == "a=in");
  CHECK(Canonical("in") == "in");
  CHECK(Canonical("!notin") == "!notin");
}

TEST_CASE("label selector: matching") {
  CHECK(Matches("a=b", {{"a", "b"}}));
  CHECK_FALSE(Matches("a=b", {{"a", "c"}}));
  CHECK_FALSE(Matches("a=b", {}));
  CHECK(Matches("a=", {{"a", ""}}));
  CHECK_FALSE(Matches("a=", {}));

  CHECK(Matches("a!=b", {}));
  CHECK(Matches("a!=b", {{"a", "c"}}));
  CHECK_FALSE(Matches("a!=b", {{"a", "b"}}));

  CHECK(Matches("a in (x,y)", {{"a", "y"}}));
  CHECK_FALSE(Matches("a in (x,y)", {{"a", "z"}}));
  CHECK_FALSE(Matches("a in (x,y)", {}));
  CHECK(Matches("a in (,x)", {{"a", ""}}));

  CHECK(Matches("a notin (x)", {}));
  CHECK(Matches("a notin (x)", {{"a", "y"}}));
  CHECK_FALSE(Matches("a notin (x)", {{"a", "x"}}));

  CHECK(Matches("a", {{"a", ""}}));
  CHECK_FALSE(Matches("a", {{"b", "a"}}));
  CHECK(Matches("!a", {{"b", "a"}}));
  CHECK_FALSE(Matches("!a", {{"a", ""}}));

  CHECK(Matches("a>1", {{"a", "2"}}));
  CHECK_FALSE(Matches("a>1", {{"a", "1"}}));
  CHECK_FALSE(Matches("a>1", {{"a", "x"}}));
  CHECK_FALSE(Matches("a>1", {{"a", "2.5"}}));
  CHECK_FALSE(Matches("a>1", {}));
  CHECK(Matches("a<1", {{"a", "-5"}}));
  CHECK(Matches("a<1", {{"a", "+0"}}));
  CHECK_FALSE(Matches("a<1", {{"a", "1"}}));
  CHECK_FALSE(Matches("a<1", {{"a", " 0"}}));
  CHECK(Matches("a>9223372036854775806", {{"a", "9223372036854775807"}}));
  CHECK_FALSE(Matches("a>9223372036854775806", {{"a", "9223372036854775808"}}));  // out of range
  CHECK(Matches("a<0", {{"a", "-9223372036854775808"}}));
  CHECK_FALSE(Matches("a<0", {{"a", "-9223372036854775809"}}));

  const std::string selector = "app=web,tier in (fe,be),!canary,version>2";
  CHECK(Matches(selector, {{"app", "web"}, {"tier", "fe"}, {"version", "3"}, {"x", "y"}}));
  CHECK_FALSE(Matches(selector, {{"app", "web"}, {"tier", "fe"}, {"version", "3"}, {"canary", "1"}}));
  CHECK_FALSE(Matches(selector, {{"app", "web"}, {"tier", "db"}, {"version", "3"}}));
  CHECK_FALSE(Matches(selector, {{"app", "web"}, {"tier", "fe"}, {"version", "2"}}));
  CHECK(Matches("a=b,a=c", {}) == false);
  CHECK_FALSE(Matches("a=b,a=c", {{"a", "b"}}));
}

TEST_CASE("label selector: syntax errors name the token and its position") {
  CHECK(ParseError("a in (x") ==
        "unable to parse requirement: found '', expected: ',' or ')' at position 7 in \"a in (x\"");
  CHECK(ParseError("a in (x y)") ==
        "unable to parse requirement: found 'y', expected: ',' or ')' at position 8 in \"a in (x y)\"");
  CHECK(ParseError("a in x") ==
        "unable to parse requirement: found 'x' expected: '(' at position 5 in \"a in x\"");
  CHECK(ParseError("a in") ==
        "unable to parse requirement: found '' expected: '(' at position 4 in \"a in\"");
  CHECK(
      ParseError("a in (") ==
      "unable to parse requirement: found '', expected: ',', ')' or identifier at position 6 in \"a in (\"");
  CHECK(ParseError("a in (=)") ==
        "unable to parse requirement: found '=', expected: ',', ')' or identifier at position 6 in \"a in "
        "(=)\"");
  CHECK(
      ParseError("a in (x,=)") ==
      "unable to parse requirement: found '=', expected: ',', or identifier at position 8 in \"a in (x,=)\"");
  CHECK(ParseError("a in (x,") ==
        "unable to parse requirement: found '', expected: ',', or identifier at position 8 in \"a in (x,\"");
  CHECK(ParseError("a in (x))") ==
        "found ')', expected: ',' or 'end of string' at position 8 in \"a in (x))\"");
  CHECK(ParseError("a b") ==
        "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt at position 2 in \"a "
        "b\"");
  CHECK(ParseError("a!b") ==
        "unable to parse requirement: found '!', expected: in, notin, =, ==, !=, gt, lt at position 1 in "
        "\"a!b\"");
  CHECK(ParseError("a===b") ==
        "unable to parse requirement: found '=', expected: identifier at position 3 in \"a===b\"");
  CHECK(ParseError("a=(b)") ==
        "unable to parse requirement: found '(', expected: identifier at position 2 in \"a=(b)\"");
  CHECK(ParseError("!") ==
        "unable to parse requirement: found '', expected: identifier at position 1 in \"!\"");
  CHECK(ParseError("!!a") ==
        "unable to parse requirement: found '!', expected: identifier at position 1 in \"!!a\"");
  CHECK(ParseError("a=b c") == "found 'c', expected: ',' or 'end of string' at position 4 in \"a=b c\"");
  CHECK(ParseError("!a=b") == "found '=', expected: ',' or 'end of string' at position 2 in \"!a=b\"");
}

TEST_CASE("label selector: misplaced commas and operators") {
  CHECK(ParseError("=b") == "found '=', expected: !, identifier, or 'end of string' at position 0 in \"=b\"");
  CHECK(ParseError("!=b") ==
        "found '!=', expected: !, identifier, or 'end of string' at position 0 in \"!=b\"");
  CHECK(ParseError(",a") == "found ',', expected: !, identifier, or 'end of string' at position 0 in \",a\"");
  CHECK(ParseError("(a)") ==
        "found '(', expected: !, identifier, or 'end of string' at position 0 in \"(a)\"");
  CHECK(ParseError(")") == "found ')', expected: !, identifier, or 'end of string' at position 0 in \")\"");
  CHECK(ParseError("a=b,") == "found '', expected: identifier after ',' at position 4 in \"a=b,\"");
  CHECK(ParseError("a=b, ") == "found '', expected: identifier after ',' at position 5 in \"a=b, \"");
  CHECK(ParseError("a=b,,c") == "found ',', expected: identifier after ',' at position 4 in \"a=b,,c\"");
  CHECK(ParseError("a,=b") == "found '=', expected: identifier after ',' at position 2 in \"a,=b\"");
}

TEST_CASE("label selector: keys and values are validated") {
  CHECK(ParseError("a@b=c") == "unable to parse requirement: key: Invalid value: \"a@b\": name part " +
                                   kNameRegex + " at position 0 in \"a@b=c\"");
  CHECK(
      ParseError("x=1, /=a") ==
      "unable to parse requirement: key: Invalid value: \"/\": prefix part must be non-empty; name part must "
      "be non-empty; name part " +
          kNameRegex + " at position 5 in \"x=1, /=a\"");
  CHECK(ParseError("a=b@") == "unable to parse requirement: values[0][a]: Invalid value: \"b@\": " +
                                  kValueRegex + " at position 2 in \"a=b@\"");
  const std::string long_value(64, 'v');
  CHECK(ParseError("a=" + long_value) ==
        "unable to parse requirement: values[0][a]: Invalid value: \"" + long_value +
            "\": must be no more than 63 characters at position 2 in \"a=" + long_value + "\"");
  const std::string long_key(64, 'k');
  CHECK(ParseError(long_key) == "unable to parse requirement: key: Invalid value: \"" + long_key +
                                    "\": name part must be no more than 63 characters at position 0 in \"" +
                                    long_key + "\"");
  CHECK(MustParse(std::string(63, 'k') + "=" + std::string(63, 'v')).requirements().size() == 1);
  // Several bad values: every one is reported, at the position of the first.
  CHECK(ParseError("a in (ok,c$,b@)") ==
        "unable to parse requirement: [values[0][a]: Invalid value: \"b@\": " + kValueRegex +
            ", values[1][a]: Invalid value: \"c$\": " + kValueRegex +
            "] at position 12 in \"a in (ok,c$,b@)\"");
  CHECK(ParseError("caf\xc3\xa9=x").find("key: Invalid value: \"caf\xc3\xa9\"") != std::string::npos);
  // A NUL byte is part of the value, not the end of the text.
  CHECK(ParseError(std::string("a=b\0c", 5)) ==
        "unable to parse requirement: values[0][a]: Invalid value: \"b\\x00c\": " + kValueRegex +
            " at position 2 in \"a=b\\x00c\"");
}

TEST_CASE("label selector: > and < need integers") {
  const std::string not_integer = "for 'Gt', 'Lt' operators, the value must be an integer";
  CHECK(ParseError("a>b") == "unable to parse requirement: values[0]: Invalid value: \"b\": " + not_integer +
                                 " at position 2 in \"a>b\"");
  CHECK(ParseError("a>") == "unable to parse requirement: values[0]: Invalid value: \"\": " + not_integer +
                                " at position 2 in \"a>\"");
  CHECK(ParseError("a<1.5") == "unable to parse requirement: values[0]: Invalid value: \"1.5\": " +
                                   not_integer + " at position 2 in \"a<1.5\"");
  CHECK(ParseError("a>99999999999999999999").find(not_integer) != std::string::npos);
  CHECK(Canonical("a>1,b") == "a>1,b");
  // A negative bound is an integer but not a valid label value.
  CHECK(ParseError("a<-1") == "unable to parse requirement: values[0][a]: Invalid value: \"-1\": " +
                                  kValueRegex + " at position 2 in \"a<-1\"");
  CHECK(ParseError("a>x@") ==
        "unable to parse requirement: [values[0]: Invalid value: \"x@\": " + not_integer +
            ", values[0][a]: Invalid value: \"x@\": " + kValueRegex + "] at position 2 in \"a>x@\"");
  CHECK(Canonical("a>9223372036854775807") == "a>9223372036854775807");
}

TEST_CASE("label selector: Everything, Nothing and FromLabels") {
  LabelSelector everything = LabelSelector::Everything();
  CHECK(everything.Empty());
  CHECK_FALSE(everything.MatchesNothing());
  CHECK(everything.Matches({}));
  CHECK(everything.Matches({{"a", "b"}}));
  CHECK(everything == LabelSelector());
  CHECK(everything == MustParse(""));

  LabelSelector nothing = LabelSelector::Nothing();
  CHECK_FALSE(nothing.Empty());
  CHECK(nothing.MatchesNothing());
  CHECK_FALSE(nothing.Matches({}));
  CHECK_FALSE(nothing.Matches({{"a", "b"}}));
  CHECK(nothing.ToString() == "");
  CHECK(nothing.requirements().empty());
  CHECK_FALSE(nothing == everything);

  LabelSelector service = LabelSelector::FromLabels({{"tier", "fe"}, {"app", "web"}});
  CHECK(service.ToString() == "app=web,tier=fe");
  CHECK(service == MustParse("tier=fe,app=web"));
  CHECK(service.Matches({{"app", "web"}, {"tier", "fe"}, {"pod-template-hash", "abc"}}));
  CHECK_FALSE(service.Matches({{"app", "web"}}));
  CHECK(LabelSelector::FromLabels({}).Empty());
}

TEST_CASE("label selector: FromSpec converts matchLabels and matchExpressions") {
  absl::StatusOr<LabelSelector> empty = LabelSelector::FromSpec({});
  REQUIRE(empty.ok());
  CHECK(empty->Empty());
  CHECK(empty->Matches({{"any", "thing"}}));

  LabelSelectorSpec spec;
  spec.matchLabels = {{"app", "web"}};
  spec.matchExpressions = {{"tier", "In", {"b", "a", "a"}},
                           {"canary", "DoesNotExist", {}},
                           {"env", "NotIn", {"prod"}},
                           {"team", "Exists", {}}};
  absl::StatusOr<LabelSelector> selector = LabelSelector::FromSpec(spec, "spec.selector");
  REQUIRE_MESSAGE(selector.ok(), selector.status().ToString());
  CHECK(selector->ToString() == "app=web,!canary,env notin (prod),team,tier in (a,b)");
  CHECK(*selector == MustParse(selector->ToString()));
  CHECK(selector->Matches({{"app", "web"}, {"tier", "a"}, {"team", "x"}}));
  CHECK_FALSE(selector->Matches({{"app", "web"}, {"tier", "a"}, {"team", "x"}, {"env", "prod"}}));
  CHECK_FALSE(selector->Matches({{"app", "web"}, {"tier", "a"}}));
}

TEST_CASE("label selector: FromSpec errors name their fields") {
  auto error = [](const LabelSelectorSpec& spec, const char* path = "selector") {
    absl::StatusOr<LabelSelector> selector = LabelSelector::FromSpec(spec, path);
    REQUIRE(!selector.ok());
    CHECK(selector.status().code() == absl::StatusCode::kInvalidArgument);
    return std::string(selector.status().message());
  };
  CHECK(error({{}, {{"a", "In", {}}}}) ==
        "selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or "
        "'NotIn'");
  CHECK(error({{}, {{"a", "Exists", {}}, {"b", "NotIn", {}}}}) ==
        "selector.matchExpressions[1].values: Required value: must be specified when `operator` is 'In' or "
        "'NotIn'");
  CHECK(error({{}, {{"a", "DoesNotExist", {"x"}}}}) ==
        "selector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or "
        "'DoesNotExist'");
  CHECK(error({{}, {{"a", "Foo", {}}}}, "spec.selector") ==
        "spec.selector.matchExpressions[0].operator: Unsupported value: \"Foo\": supported values: \"In\", "
        "\"NotIn\", \"Exists\", \"DoesNotExist\"");
  CHECK(error({{}, {{"a", "in", {"x"}}}}).find("Unsupported value: \"in\"") != std::string::npos);
  CHECK(error({{}, {{"bad key", "Exists", {}}}}) ==
        "selector.matchExpressions[0].key: Invalid value: \"bad key\": name part " + kNameRegex);
  CHECK(error({{}, {{"a", "In", {"ok", "b@d"}}}}) ==
        "selector.matchExpressions[0].values[1]: Invalid value: \"b@d\": " + kValueRegex);
  CHECK(error({{{"bad key", "v"}}, {}}) ==
        "selector.matchLabels: Invalid value: \"bad key\": name part " + kNameRegex);
  CHECK(error({{{"app", "x y"}}, {{"", "Foo", {}}}}) ==
        "[selector.matchLabels: Invalid value: \"x y\": " + kValueRegex +
            ", selector.matchExpressions[0].operator: Unsupported value: \"Foo\": supported values: \"In\", "
            "\"NotIn\", \"Exists\", \"DoesNotExist\", selector.matchExpressions[0].key: Invalid value: \"\": "
            "name "
            "part must be non-empty, selector.matchExpressions[0].key: Invalid value: \"\": name part " +
            kNameRegex + "]");
}

TEST_CASE("label selector: ToString round-trips through Parse") {
  for (const char* text : {"", "a", "!a", "a=b", "a!=b", "a in (x,y)", "a notin (x)", "a>1", "a<0", "a in ()",
                           "a in (,x)", "a=", "a!=", "x in (foo,,baz),y,z notin ()", "in in (in,notin)",
                           "b=1,a=2,a=1,!c", "example.com/x=y,k8s.io/z notin (a.b,c_d,e-f)"}) {
    absl::StatusOr<LabelSelector> first = LabelSelector::Parse(text);
    REQUIRE_MESSAGE(first.ok(), text);
    absl::StatusOr<LabelSelector> second = LabelSelector::Parse(first->ToString());
    REQUIRE_MESSAGE(second.ok(), text);
    CHECK_MESSAGE(*first == *second, text);
    CHECK(second->ToString() == first->ToString());
  }
}

TEST_CASE("label selector: random input never crashes and round-trips when valid") {
  const std::vector<std::string> pieces = {
      "a", "b", "app", "in", "notin", "=",   "==", "!=", "!", "(",  ")", ",",
      ">", "<", " ",   "1",  "-",     "x.y", "/",  "\t", "@", "\\", ""};
  std::mt19937 rng(42);
  int parsed = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    int n = static_cast<int>(rng() % 10);
    for (int j = 0; j < n; ++j) text += pieces[rng() % pieces.size()];
    absl::StatusOr<LabelSelector> selector = LabelSelector::Parse(text);
    if (!selector.ok()) {
      CHECK(selector.status().code() == absl::StatusCode::kInvalidArgument);
      CHECK(std::string(selector.status().message()).find(" at position ") != std::string::npos);
      continue;
    }
    ++parsed;
    absl::StatusOr<LabelSelector> again = LabelSelector::Parse(selector->ToString());
    REQUIRE_MESSAGE(again.ok(), text, " -> ", selector->ToString());
    CHECK_MESSAGE(*again == *selector, text);
    selector->Matches({{"a", "1"}, {"app", "x.y"}});
  }
  CHECK(parsed > 100);
}

TEST_CASE("label selector: large input") {
  std::string text;
  for (int i = 0; i < 5000; ++i) absl::StrAppend(&text, i ? "," : "", "k", i, " in (v", i, ",w)");
  LabelSelector selector = MustParse(text);
  CHECK(selector.requirements().size() == 5000);
  CHECK(selector.requirements().front().key == "k0");
  CHECK(MustParse(selector.ToString()) == selector);
  CHECK_FALSE(LabelSelector::Parse(std::string(100000, '(')).ok());
  CHECK_FALSE(LabelSelector::Parse("a in (" + std::string(100000, ',')).ok());
}

// ---- Field selectors ----

TEST_CASE("field selector: parsing and canonical text") {
  using R = FieldSelector::Requirement;
  CHECK(MustParseFields("").Empty());
  CHECK(MustParseFields(",,").Empty());
  CHECK(MustParseFields("metadata.name=web").requirements() ==
        std::vector<R>{{"metadata.name", true, "web"}});
  CHECK(MustParseFields("metadata.name==web").requirements() ==
        std::vector<R>{{"metadata.name", true, "web"}});
  CHECK(MustParseFields("status.phase!=Running").requirements() ==
        std::vector<R>{{"status.phase", false, "Running"}});
  CHECK(MustParseFields("spec.nodeName=").requirements() == std::vector<R>{{"spec.nodeName", true, ""}});
  CHECK(MustParseFields("a=!b").requirements() == std::vector<R>{{"a", true, "!b"}});
  CHECK(MustParseFields("b=1,a=2,,a!=3").ToString() == "a=2,a!=3,b=1");
  CHECK(MustParseFields("metadata.name==web").ToString() == "metadata.name=web");
  // Like Kubernetes, the field is not trimmed: this field is "metadata.name ".
  CHECK(MustParseFields("metadata.name = x").requirements() ==
        std::vector<R>{{"metadata.name ", true, " x"}});
}

TEST_CASE("field selector: escapes in values") {
  using R = FieldSelector::Requirement;
  CHECK(MustParseFields("metadata.name=a\\,b").requirements() ==
        std::vector<R>{{"metadata.name", true, "a,b"}});
  CHECK(MustParseFields("x=a\\=b").requirements() == std::vector<R>{{"x", true, "a=b"}});
  CHECK(MustParseFields("x=a\\\\b").requirements() == std::vector<R>{{"x", true, "a\\b"}});
  CHECK(MustParseFields("x!=\\,\\=\\\\,y=1").requirements() ==
        std::vector<R>{{"x", false, ",=\\"}, {"y", true, "1"}});
  CHECK(MustParseFields("x=a\\,b,y=c").ToString() == "x=a\\,b,y=c");
  CHECK(MustParseFields("x!=\\,\\=\\\\").ToString() == "x!=\\,\\=\\\\");
}

TEST_CASE("field selector: errors") {
  CHECK(FieldParseError("foo") == "invalid selector: 'foo'; can't understand 'foo' at position 0");
  CHECK(FieldParseError("a=b,c") == "invalid selector: 'a=b,c'; can't understand 'c' at position 4");
  CHECK(FieldParseError("x=a=b") ==
        "invalid field selector: unescaped character in value: '=' at position 3 in \"x=a=b\"");
  CHECK(FieldParseError("x=a\\b") ==
        "invalid field selector: invalid escape sequence: \\b at position 3 in \"x=a\\\\b\"");
  CHECK(FieldParseError("y=1,x=a\\") ==
        "invalid field selector: invalid escape sequence: \\ at position 7 in \"y=1,x=a\\\\\"");
  CHECK(FieldParseError("x==a==b").find("unescaped character in value: '='") != std::string::npos);
  CHECK(FieldParseError("!").find("can't understand '!'") != std::string::npos);
}

TEST_CASE("field selector: matching objects") {
  orch::Object pod;
  pod.metadata.name = "web-1";
  pod.metadata.namespace_ = "prod";
  pod.fields = {{"spec.nodeName", "node-a"}, {"status.phase", "Running"}};

  CHECK(FieldSelector().Matches(pod));
  CHECK(MustParseFields("metadata.name=web-1").Matches(pod));
  CHECK_FALSE(MustParseFields("metadata.name=web-2").Matches(pod));
  CHECK(MustParseFields("metadata.namespace=prod,metadata.name==web-1").Matches(pod));
  CHECK(MustParseFields("metadata.namespace!=default").Matches(pod));
  CHECK(MustParseFields("spec.nodeName=node-a,status.phase!=Failed").Matches(pod));
  CHECK_FALSE(MustParseFields("spec.nodeName=node-a,status.phase=Pending").Matches(pod));
  // Absent fields have the value "".
  CHECK(MustParseFields("spec.schedulerName=").Matches(pod));
  CHECK_FALSE(MustParseFields("spec.schedulerName!=").Matches(pod));
  orch::Object unscheduled = pod;
  unscheduled.fields = {{"status.phase", "Pending"}};
  CHECK(MustParseFields("spec.nodeName=").Matches(unscheduled));
  CHECK_FALSE(MustParseFields("spec.nodeName!=").Matches(unscheduled));
  pod.metadata.name = "a,b";
  CHECK(MustParseFields("metadata.name=a\\,b").Matches(pod));
}

TEST_CASE("field selector: CheckSupported and RequiredName") {
  orch::ResourceType pods;
  pods.kind = "Pod";
  pods.resource = "pods";
  pods.selectable_fields = {"spec.nodeName", "status.phase"};

  CHECK(FieldSelector().CheckSupported(pods).ok());
  CHECK(MustParseFields("metadata.name=a,metadata.namespace=b,spec.nodeName=n,status.phase!=x")
            .CheckSupported(pods)
            .ok());
  absl::Status status = MustParseFields("metadata.name=a,spec.foo=x").CheckSupported(pods);
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  CHECK(status.message() == "field label not supported: spec.foo");
  CHECK(MustParseFields("metadata.name = x").CheckSupported(pods).message() ==
        "field label not supported: metadata.name ");
  CHECK(MustParseFields("=x").CheckSupported(pods).message() == "field label not supported: ");

  CHECK(FieldSelector().RequiredName() == nullptr);
  CHECK(MustParseFields("metadata.name!=a").RequiredName() == nullptr);
  FieldSelector by_name = MustParseFields("status.phase=Running,metadata.name==web");
  REQUIRE(by_name.RequiredName() != nullptr);
  CHECK(*by_name.RequiredName() == "web");
}

TEST_CASE("field selector: random input never crashes and round-trips when valid") {
  const std::vector<std::string> pieces = {"a",  "metadata.name", "=",   "==",   "!=", "!", ",",
                                           "\\", "\\,",           "\\=", "\\\\", " ",  "x", ""};
  std::mt19937 rng(7);
  int parsed = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    int n = static_cast<int>(rng() % 8);
    for (int j = 0; j < n; ++j) text += pieces[rng() % pieces.size()];
    absl::StatusOr<FieldSelector> selector = FieldSelector::Parse(text);
    if (!selector.ok()) {
      CHECK(selector.status().code() == absl::StatusCode::kInvalidArgument);
      continue;
    }
    ++parsed;
    absl::StatusOr<FieldSelector> again = FieldSelector::Parse(selector->ToString());
    REQUIRE_MESSAGE(again.ok(), text, " -> ", selector->ToString());
    CHECK_MESSAGE(*again == *selector, text);
  }
  CHECK(parsed > 100);
}

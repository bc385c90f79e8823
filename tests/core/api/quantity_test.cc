// Quantity and IntOrString: parsing of every suffix, exact values, rounding, canonical text, errors.
#include "orch/api/quantity.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace orch {
namespace {

Quantity Q(const char* text) {
  absl::StatusOr<Quantity> q = Quantity::Parse(text);
  REQUIRE_MESSAGE(q.ok(), text, ": ", q.status().ToString());
  return *q;
}

std::string ParseError(const char* text) {
  absl::StatusOr<Quantity> q = Quantity::Parse(text);
  REQUIRE_MESSAGE(!q.ok(), text);
  CHECK(q.status().code() == absl::StatusCode::kInvalidArgument);
  return std::string(q.status().message());
}

TEST_CASE("decimal SI suffixes") {
  CHECK(Q("1n").Nanos() == 1);
  CHECK(Q("1u").Nanos() == 1000);
  CHECK(Q("500m").MilliValue() == 500);
  CHECK(Q("2").Value() == 2);
  CHECK(Q("100k").Value() == 100000);
  CHECK(Q("3M").Value() == 3000000);
  CHECK(Q("4G").Value() == 4000000000);
  CHECK(Q("5T").Value() == 5000000000000);
  CHECK(Q("6P").Value() == 6000000000000000);
  CHECK(Q("1E").Value() == 1000000000000000000);
  CHECK(Q("1E").format() == Quantity::Format::kDecimalSI);
}

TEST_CASE("binary SI suffixes") {
  CHECK(Q("1Ki").Value() == 1024);
  CHECK(Q("128Mi").Value() == 134217728);
  CHECK(Q("1Gi").Value() == 1073741824);
  CHECK(Q("1Ti").Value() == 1099511627776);
  CHECK(Q("1Pi").Value() == 1125899906842624);
  CHECK(Q("1Ei").Value() == 1152921504606846976);
  CHECK(Q("1Gi").format() == Quantity::Format::kBinarySI);
  CHECK(Q("1.5Gi").Value() == 1610612736);
  CHECK(Q("0.5Ki").Value() == 512);
  CHECK(Q("1.Gi").Value() == 1073741824);
}

TEST_CASE("decimal exponents") {
  CHECK(Q("1e3").Value() == 1000);
  CHECK(Q("1E3").Value() == 1000);
  CHECK(Q("1e+3").Value() == 1000);
  CHECK(Q("1e-3").MilliValue() == 1);
  CHECK(Q("1.5e2").Value() == 150);
  CHECK(Q("1e3").format() == Quantity::Format::kDecimalExponent);
}

TEST_CASE("plain numbers, signs and zeros") {
  CHECK(Q("0").IsZero());
  CHECK(Q("0.1").MilliValue() == 100);
  CHECK(Q("0.1").Nanos() == 100000000);
  CHECK(Q("+1").Value() == 1);
  CHECK(Q("-1").Value() == -1);
  CHECK(Q("-0").IsZero());
  CHECK(Q("000123").Value() == 123);
  CHECK(Q(".5").MilliValue() == 500);
  CHECK(Q("1.").Value() == 1);
  CHECK(Q("0.000000001").Nanos() == 1);
  CHECK(Q("123456789.123456789").Nanos() == absl::int128(123456789123456789));
}

TEST_CASE("Value and MilliValue round up, away from zero") {
  CHECK(Q("500m").Value() == 1);
  CHECK(Q("1001m").Value() == 2);
  CHECK(Q("1n").MilliValue() == 1);
  CHECK(Q("1n").Value() == 1);
  CHECK(Q("-1.5").Value() == -2);
  CHECK(Q("-1.5").MilliValue() == -1500);
  CHECK(Q("1500").ScaledValue(3) == 2);
  CHECK(Q("1500").ScaledValue(-3) == 1500000);
}

TEST_CASE("values finer than a nano are rounded up to one") {
  Quantity q = Q("1.0000000001");
  CHECK(q.Nanos() == 1000000001);
  CHECK(q.ToString() == "1000000001n");
  CHECK(Q("0.0000000001").Nanos() == 1);
  CHECK(Q("-0.0000000001").Nanos() == -1);
  CHECK(Q("1e-20").Nanos() == 1);
  CHECK(Q("0.0000000001Ki").Nanos() == 103);  // 102.4 nanos
}

TEST_CASE("Value and MilliValue saturate at the int64 range; binary SI is capped at 2^63-1 units") {
  const int64_t kMax = std::numeric_limits<int64_t>::max();
  CHECK(Q("9223372036854775807").Value() == kMax);
  CHECK(Q("9223372036854775807Ki").Value() == kMax);
  CHECK(Q("1e100").Value() == kMax);
  CHECK(Q("-1e100").Value() == std::numeric_limits<int64_t>::min());
  CHECK(Q("12345678901234567890123456789012345678901234567890").Value() == kMax);
  CHECK(Q("9223372036854775807").MilliValue() == kMax);  // saturates
  CHECK(Q("9223372036854775807Ki").ToString() == "9223372036854775807");
}

TEST_CASE("parsed and computed values are written canonically") {
  CHECK(Q("1.5Gi").ToString() == "1536Mi");
  CHECK(Q("1.5Gi").CanonicalString() == "1536Mi");
  CHECK(Q("0.1").ToString() == "100m");
  CHECK(Q("0.1").CanonicalString() == "100m");
  CHECK(Q("1e3").CanonicalString() == "1e3");
  CHECK(Q("1e4").CanonicalString() == "10e3");
  CHECK(Q("1000").CanonicalString() == "1k");
  CHECK(Q("1500m").CanonicalString() == "1500m");
  CHECK(Q("1.5").CanonicalString() == "1500m");
  CHECK(Q("0.5Ki").CanonicalString() == "512");
  CHECK(Q("2048Ki").CanonicalString() == "2Mi");
  CHECK(Q("1025Ki").CanonicalString() == "1025Ki");
  CHECK(Q("-1.5Gi").CanonicalString() == "-1536Mi");
  CHECK(Q("1E").CanonicalString() == "1E");
  CHECK(Q("0").CanonicalString() == "0");
  CHECK(Quantity().ToString() == "0");
  CHECK(Quantity::FromMilli(1500).ToString() == "1500m");
  CHECK(Quantity::FromMilli(2000).ToString() == "2");
  CHECK(Quantity::FromValue(2048, Quantity::Format::kBinarySI).ToString() == "2Ki");
  CHECK(Quantity::FromValue(1000, Quantity::Format::kBinarySI).ToString() == "1k");
  CHECK(Quantity::FromMilli(1500, Quantity::Format::kBinarySI).ToString() == "1500m");
  CHECK(Quantity::FromValue(5, Quantity::Format::kDecimalExponent).ToString() == "5");
  CHECK(Quantity::FromValue(5000, Quantity::Format::kDecimalExponent).ToString() == "5e3");
}

TEST_CASE("comparison and equality are by value") {
  CHECK(Q("1Gi") == Q("1024Mi"));
  CHECK(Q("1") == Q("1000m"));
  CHECK(Q("500m") < Q("1"));
  CHECK(Q("1Ki") > Q("1k"));
  CHECK(Q("-1") < Q("0"));
  CHECK(Q("1Gi").Sign() == 1);
  CHECK(Q("-1m").Sign() == -1);
}

TEST_CASE("arithmetic is exact and drops the parsed text") {
  Quantity q = Q("1Gi");
  q.Add(Q("512Mi"));
  CHECK(q.Value() == 1610612736);
  CHECK(q.ToString() == "1536Mi");
  q.Sub(Q("1536Mi"));
  CHECK(q.IsZero());
  Quantity cpu;
  cpu.Add(Q("100m"));
  cpu.Add(Q("0.25"));
  CHECK(cpu.MilliValue() == 350);
  CHECK(cpu.ToString() == "350m");
  cpu.Neg();
  CHECK(cpu.MilliValue() == -350);
  CHECK(Q("250m").AsApproximateDouble() == doctest::Approx(0.25));
}

TEST_CASE("bad input names the text and the problem") {
  CHECK(ParseError("") ==
        "quantity \"\": quantities must match the regular expression "
        "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  CHECK(ParseError("12mi") == "quantity \"12mi\": unable to parse quantity's suffix");
  CHECK(ParseError("12x").find("regular expression") != std::string::npos);
  CHECK(ParseError("abc").find("quantities must match the regular expression") != std::string::npos);
  CHECK(ParseError("1.5.5").find("quantity \"1.5.5\"") == 0);
  CHECK(ParseError("1 Gi").find("regular expression") != std::string::npos);
  CHECK(ParseError(" 1").find("regular expression") != std::string::npos);
  CHECK(ParseError("1e").find("suffix") != std::string::npos);
  CHECK(ParseError("1Gi5").find("suffix") != std::string::npos);
  CHECK(ParseError("1ki").find("suffix") != std::string::npos);
  CHECK(ParseError("1KB").find("regular expression") != std::string::npos);
  CHECK(ParseError("1e3.5").find("regular expression") != std::string::npos);
  CHECK(ParseError("--1").find("suffix") != std::string::npos);  // "-1" is read as a suffix
}

TEST_CASE("IntOrString values and percentages") {
  IntOrString five = IntOrString::FromInt(5);
  CHECK(five.IsInt());
  CHECK(five.ToString() == "5");
  CHECK(*five.GetScaledValueFromIntOrPercent(100, true) == 5);

  IntOrString quarter = IntOrString::FromString("25%");
  CHECK(*quarter.GetScaledValueFromIntOrPercent(10, true) == 3);
  CHECK(*quarter.GetScaledValueFromIntOrPercent(10, false) == 2);
  CHECK(*quarter.GetScaledValueFromIntOrPercent(4, true) == 1);
  CHECK(*quarter.GetScaledValueFromIntOrPercent(0, true) == 0);
  CHECK(*IntOrString::FromString("100%").GetScaledValueFromIntOrPercent(7, false) == 7);
  CHECK(*IntOrString::FromString("0%").GetScaledValueFromIntOrPercent(7, true) == 0);
  CHECK(*IntOrString::FromString("-50%").GetScaledValueFromIntOrPercent(3, true) == -1);
  CHECK(*IntOrString::FromString("-50%").GetScaledValueFromIntOrPercent(3, false) == -2);

  absl::StatusOr<int> not_percent = IntOrString::FromString("abc").GetScaledValueFromIntOrPercent(10, true);
  CHECK(not_percent.status().message() ==
        "invalid value for IntOrString: invalid type: string is not a percentage");
  absl::StatusOr<int> bad = IntOrString::FromString("x%").GetScaledValueFromIntOrPercent(10, true);
  CHECK(bad.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(bad.status().message() ==
        "invalid value for IntOrString: invalid value \"x%\": not an integer percentage");
  CHECK(!IntOrString::FromString("%").GetScaledValueFromIntOrPercent(10, true).ok());
  CHECK(!IntOrString::FromString("1.5%").GetScaledValueFromIntOrPercent(10, true).ok());
  CHECK(!IntOrString::FromString(" 5%").GetScaledValueFromIntOrPercent(10, true).ok());

  CHECK(IntOrString::FromString("8080").IntValue() == 8080);
  CHECK(IntOrString::FromString("http").IntValue() == 0);
  CHECK(IntOrString::FromString("http").ToString() == "http");
  CHECK(IntOrString::FromInt(1) != IntOrString::FromString("1"));
}

}  // namespace
}  // namespace orch

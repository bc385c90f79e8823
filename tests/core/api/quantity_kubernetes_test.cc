// Quantity against the cases of k8s.io/apimachinery/pkg/api/resource/quantity_test.go: exact huge
// values, canonical text, what parses and what does not.
#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "absl/strings/str_cat.h"
#include "orch/api/quantity.h"

namespace orch {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

Quantity Q(const std::string& text) {
  absl::StatusOr<Quantity> q = Quantity::Parse(text);
  REQUIRE_MESSAGE(q.ok(), text, ": ", q.status().ToString());
  return *q;
}

// What kube-apiserver writes back for `text`.
std::string Canonical(const std::string& text) { return Q(text).ToString(); }

std::string ParseError(const std::string& text) {
  absl::StatusOr<Quantity> q = Quantity::Parse(text);
  REQUIRE_MESSAGE(!q.ok(), text);
  CHECK(q.status().code() == absl::StatusCode::kInvalidArgument);
  return std::string(q.status().message());
}

TEST_CASE("quantities of 2^63 and more are kept exactly and written exactly") {
  CHECK(Canonical("12E") == "12E");
  CHECK(Canonical("9223372036854775808") == "9223372036854775808");
  CHECK(Canonical("-9223372036854775809") == "-9223372036854775809");
  CHECK(Canonical("9999999999999999999") == "9999999999999999999");
  CHECK(Canonical("10000000000000000000") == "10E");
  CHECK(Canonical("9223372036854775808.1") == "9223372036854775808100m");
  CHECK(Canonical("1.0000000000000000001E") == "1000000000000000000100m");
  CHECK(Canonical("9223372036854775808000m") == "9223372036854775808");
  CHECK(Canonical("12345678901234567890123456789012345678901234567890") ==
        "12345678901234567890123456789012345678901234567890");
  CHECK(Q("12E") > Q("9223372036854775807"));
  CHECK(Q("9223372036854775808") != Q("9223372036854775807"));
  CHECK(Q("12E") == Q("12000000000000000000"));
  CHECK(Q("9223372036854775808").Nanos() ==
        absl::int128(std::numeric_limits<int64_t>::max()) * 1000000000 + 1000000000);
}

TEST_CASE("decimal exponents are kept exactly, whatever their size") {
  CHECK(Canonical("1e40") == "10e39");
  CHECK(Canonical("1e39") == "1e39");
  CHECK(Canonical("-1.5e40") == "-15e39");
  CHECK(Canonical("1e2147483647") == "10e2147483646");
  CHECK(Q("1e40") > Q("9e39"));
  CHECK(Q("1e40") == Q("10000000000000000000000000000000000000000"));
  // Kubernetes reads the exponent as an int64 and keeps its low 32 bits.
  CHECK(Canonical("1e4294967296") == "1");
  CHECK(ParseError("1e9223372036854775808").find("suffix") != std::string::npos);
}

TEST_CASE("beyond the decimal SI suffixes the exponent form is written") {
  // kubernetes/kubernetes#140459: before it, "1000E" was written "1".
  CHECK(Canonical("1000E") == "1e21");
  CHECK(Canonical("1000000000000000000000") == "1e21");
  CHECK(Canonical("5000E") == "5e21");
  CHECK(Canonical("100E") == "100E");
}

TEST_CASE("Value and MilliValue of huge quantities saturate") {
  CHECK(Q("12E").Value() == kMax);
  CHECK(Q("12E").MilliValue() == kMax);
  CHECK(Q("9223372036854775808").Value() == kMax);
  CHECK(Q("9223372036854775807").Value() == kMax);
  CHECK(Q("-9223372036854775808").Value() == kMin);
  CHECK(Q("-9223372036854775809").Value() == kMin);
  CHECK(Q("1e40").MilliValue() == kMax);
  CHECK(Q("9223372036854775").MilliValue() == 9223372036854775000);
  CHECK(Q("9223372036854776").MilliValue() == kMax);
  CHECK(Q("1E").Value() == 1000000000000000000);
  CHECK(Q("1e2147483647").ScaledValue(2147483647) == 1);
  CHECK(Q("1").ScaledValue(2147483647) == 1);
  CHECK(Q("1n").ScaledValue(-9) == 1);
}

TEST_CASE("binary SI quantities are capped at 2^63-1 units, as Kubernetes caps them") {
  CHECK(Canonical("9Ei") == "9223372036854775807");
  CHECK(Q("9Ei").Value() == kMax);
  CHECK(Canonical("-9Ei") == "-9223372036854775807");
  CHECK(Canonical("8Ei") == "9223372036854775807");  // 2^63
  CHECK(Canonical("7Ei") == "7Ei");
  CHECK(Q("7Ei").Value() == 7 * (int64_t{1} << 60));
  CHECK(Canonical("9223372036854775807Ki") == "9223372036854775807");
}

TEST_CASE("canonical form, as quantity_test.go TestQuantityParseEmit and TestParseQuantity") {
  CHECK(Canonical("1Ki") == "1Ki");
  CHECK(Canonical("1024Mi") == "1Gi");
  CHECK(Canonical("1000M") == "1G");
  CHECK(Canonical(".001Ki") == "1024m");
  CHECK(Canonical(".000001Ki") == "1024u");
  CHECK(Canonical(".000000001Ki") == "1024n");
  CHECK(Canonical(".000000000001Ki") == "2n");
  CHECK(Canonical("-.000000000001Ki") == "-2n");
  CHECK(Canonical("1.5Gi") == "1536Mi");
  CHECK(Canonical("0.5") == "500m");
  CHECK(Canonical("1000m") == "1");
  CHECK(Canonical("0.1") == "100m");
  CHECK(Canonical("1e3") == "1e3");
  CHECK(Canonical("1000") == "1k");
  CHECK(Canonical("1.08") == "1080m");
  CHECK(Canonical("1080000000n") == "1080m");
  CHECK(Canonical("0.001T") == "1G");
  CHECK(Canonical("1000u") == "1m");
  CHECK(Canonical(".001e12") == "1e9");
  CHECK(Canonical("0.001e0") == "1e-3");
  CHECK(Canonical("1000e-12") == "1e-9");
  CHECK(Canonical("00") == "0");
  CHECK(Canonical("307200Ki") == "300Mi");
  CHECK(Canonical("1025024Mi") == "1001Gi");
  CHECK(Canonical("5000m") == "5");
  CHECK(Canonical("999999999999999999.0") == "999999999999999999");
  CHECK(Canonical("-999999999999999999.1") == "-999999999999999999100m");
  CHECK(Canonical("1.000000000000000001E") == "1000000000000000001");
  CHECK(Canonical("-10.0000000000000000001E") == "-10000000000000000000100m");
  CHECK(Canonical("3.001n") == "4n");
  CHECK(Canonical("1.1E-9") == "2e-9");
  CHECK(Canonical("0.00000012345") == "124n");
  CHECK(Canonical("100.035Ki") == "102435840m");
  CHECK(Canonical("0.5Mi") == "512Ki");
  CHECK(Canonical("1.") == "1");
  CHECK(Canonical("1.G") == "1G");
}

TEST_CASE("computed values are canonical in their format, as TestMilliNewSet and TestNewSet") {
  CHECK(Quantity::FromMilli(1).ToString() == "1m");
  CHECK(Quantity::FromMilli(1234000).ToString() == "1234");
  CHECK(Quantity::FromMilli(1024, Quantity::Format::kBinarySI).ToString() == "1024m");
  CHECK(Quantity::FromMilli(1024 * 1024, Quantity::Format::kBinarySI).ToString() == "1048576m");
  CHECK(Quantity::FromValue(1234000).ToString() == "1234k");
  CHECK(Quantity::FromValue(1000000, Quantity::Format::kDecimalExponent).ToString() == "1e6");
  CHECK(Quantity::FromValue(1024 * 1024, Quantity::Format::kBinarySI).ToString() == "1Mi");
  CHECK(Quantity::FromValue(1025, Quantity::Format::kBinarySI).ToString() == "1025");
  CHECK(Quantity::FromValue(2000, Quantity::Format::kBinarySI).ToString() == "2000");
  CHECK(Quantity::FromMilli(-9010).ToString() == "-9010m");
}

TEST_CASE("sums beyond int64 stay exact; binary sums beyond Ei are written with an exponent") {
  Quantity q = Q("4Ei");
  q.Add(Q("4Ei"));
  CHECK(q.ToString() == "8Ei");  // 2^63: kept, though parsing "8Ei" caps it
  CHECK(q.Value() == kMax);
  for (int i = 0; i < 7; ++i) q.Add(q);
  CHECK(q.ToString() == "1180591620717411303424");  // 2^70 = 1024Ei
  CHECK(Q("1024Ei").ToString() == "9223372036854775807");
  Quantity ten_70 = Q("1Ki");
  ten_70.Sub(Q("1Ki"));
  ten_70.Add(Q("1e70"));  // zero takes the other's format
  CHECK(ten_70.format() == Quantity::Format::kDecimalExponent);
  Quantity binary_ten_70 = Q("1Ki");
  binary_ten_70.Add(Q("1e70"));
  binary_ten_70.Sub(Q("1Ki"));
  CHECK(binary_ten_70.format() == Quantity::Format::kBinarySI);
  CHECK(binary_ten_70.ToString() == "10e69");
  Quantity e = Q("1E");
  for (int i = 0; i < 20; ++i) e.Add(Q("1E"));
  CHECK(e.ToString() == "21E");
  e.Add(Q("1n"));
  CHECK(e.ToString() == "21000000000000000000000000001n");
  e.Sub(Q("21E"));
  CHECK(e.ToString() == "1n");
  Quantity self = Q("12E");
  self.Add(self);
  CHECK(self.ToString() == "24E");
}

TEST_CASE("sums spanning more than 2^20 digits round the smaller operand up") {
  Quantity q = Q("1e2000000");
  q.Add(Q("1n"));
  Quantity expected = Q("1e2000000");
  expected.Add(Q("1e951425"));  // 1n rounded up to a unit of the 2^20th digit from the top
  CHECK(q == expected);
  q.Sub(Q("1e2000000"));
  CHECK(q == Q("1e951425"));
}

TEST_CASE("RoundUp rounds away from zero to a scale, as kube-apiserver does to resource lists") {
  Quantity cpu = Q("1n");
  CHECK(!cpu.RoundUp(-3));
  CHECK(cpu.ToString() == "1m");
  Quantity exact = Q("1500m");
  CHECK(exact.RoundUp(-3));
  CHECK(exact.ToString() == "1500m");
  Quantity negative = Q("-9.01");
  CHECK(!negative.RoundUp(-1));
  CHECK(negative.ToString() == "-9100m");
  Quantity up = Q("9.01");
  CHECK(!up.RoundUp(2));
  CHECK(up.ToString() == "100");
  Quantity nano = Q("1.5n");
  CHECK(!nano.RoundUp(0));
  CHECK(nano.ToString() == "1");
}

TEST_CASE("what Kubernetes' parser accepts is accepted, with its values") {
  // A bare sign, dot or suffix is zero in Kubernetes (kubernetes/apimachinery#165, closed unfixed).
  CHECK(Q("Gi").IsZero());
  CHECK(Q("e5").IsZero());
  CHECK(Q("k").IsZero());
  CHECK(Q("-").IsZero());
  CHECK(Q(".").IsZero());
  CHECK(Q("-.").IsZero());
  CHECK(Canonical("Gi") == "0");
  CHECK(Canonical("1E-3") == "1e-3");
  CHECK(Canonical("+1.5Gi") == "1536Mi");
  CHECK(Canonical("-0.0") == "0");
}

TEST_CASE("what Kubernetes' parser rejects is rejected, in its words") {
  for (const char* text : {"1.1.M", "1+1.0M", "0.1am", "aoeu", " 1", "1 ", "-3.01e-x"}) {
    CHECK_MESSAGE(ParseError(text) == absl::StrCat("quantity \"", text,
                                                   "\": quantities must match the regular expression "
                                                   "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"),
                  text);
  }
  for (const char* text : {"0.1mi", ".5i", "1i", "-3.01i", "-3.01e-", "1Gi5"}) {
    CHECK_MESSAGE(
        ParseError(text) == absl::StrCat("quantity \"", text, "\": unable to parse quantity's suffix"), text);
  }
  CHECK(ParseError("") ==
        "quantity \"\": quantities must match the regular expression "
        "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  // A number without digits is read as text only below the nano, where it fails.
  CHECK(ParseError("e-10") == "quantity \"e-10\": unable to parse numeric part of quantity");
  CHECK(Q("e-9").IsZero());
}

TEST_CASE("comparison is by value across representations, as TestQuantityCmp") {
  CHECK(Q("10000T") > Q("100Gi"));
  CHECK(Q("100m") > Q("50m"));
  CHECK(Q("0") == Q("0Ki"));
  CHECK(Q("-12E") < Q("-9223372036854775807"));
  CHECK(Q("800m") < Q("1"));
  CHECK(Q("800m") > Q("790m"));
  CHECK(Q("1.000000000000000001") > Q("1"));
  CHECK(Q("12E").AsApproximateDouble() == doctest::Approx(1.2e19));
  CHECK(Q("2Gi").AsApproximateDouble() == 2147483648.0);
  CHECK(Q("1.1Ki").AsApproximateDouble() == 1126.4);
}

}  // namespace
}  // namespace orch

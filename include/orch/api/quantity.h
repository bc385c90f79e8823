// Resource quantities ("500m", "128Mi", "1e3") and int-or-string values ("25%", 8080, "http"), with
// the parsing, rounding and formatting rules of Kubernetes' resource.Quantity and intstr.IntOrString.
//
// Both are plain value types, safe to copy and to read from several threads at once.
#ifndef ORCH_API_QUANTITY_H_
#define ORCH_API_QUANTITY_H_

#include <compare>
#include <cstdint>
#include <string>
#include <utility>

#include "absl/numeric/int128.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace orch {

// A decimal number with a unit suffix, as in `resources.limits.cpu: 500m` (resource.Quantity).
//
// The value is exact, however large: "12E", "9223372036854775808" and "1e40" are kept as written, as
// Kubernetes keeps them (in an inf.Dec). Parsing rounds digits finer than the nano (10^-9) up, away
// from zero, and caps binary-SI quantities at 2^63-1 units ("9Ei"), both as Kubernetes does. The text
// written (ToString) is always Kubernetes' canonical form, the one kube-apiserver stores and returns:
// "1.5Gi" is written "1536Mi", "0.5" "500m", "1000" "1k" and "1e4" "10e3": the format family (binary
// SI, decimal SI or decimal exponent) is kept. Comparison and equality are by value: "1Gi" == "1024Mi".
class Quantity {
 public:
  // How a value is written: 12e6, 12Mi (12 * 2^20) or 12M (12 * 10^6).
  enum class Format { kDecimalExponent, kBinarySI, kDecimalSI };

  // Zero, written "0".
  Quantity() = default;

  // Parses Kubernetes quantity syntax (ParseQuantity): an optional sign, a decimal number, and a suffix
  // that is a decimal SI one (n u m "" k M G T P E), a binary SI one (Ki Mi Gi Ti Pi Ei) or a decimal
  // exponent (e3, E-2). It accepts what ParseQuantity accepts, including a bare sign or suffix ("-",
  // "Gi", "e5": zero, kubernetes/apimachinery#165). Errors are InvalidArgument, quote the text and
  // use Kubernetes' words: `quantity "12mi": unable to parse quantity's suffix`.
  static absl::StatusOr<Quantity> Parse(absl::string_view text);
  // value * 10^-3 and value, as resource.NewMilliQuantity / NewQuantity.
  static Quantity FromMilli(int64_t milli_value, Format format = Format::kDecimalSI);
  static Quantity FromValue(int64_t value, Format format = Format::kDecimalSI);
  // nanos * 10^-9.
  static Quantity FromNanos(absl::int128 nanos, Format format = Format::kDecimalSI);

  // The value rounded up (away from zero) to a whole number, as Quantity.Value().
  int64_t Value() const { return ScaledValue(0); }
  // The value in thousandths, rounded up (away from zero), as Quantity.MilliValue().
  int64_t MilliValue() const { return ScaledValue(-3); }
  // The value in units of 10^scale, rounded up (away from zero), as Quantity.ScaledValue(). A result
  // outside int64 saturates at INT64_MAX or INT64_MIN. (Kubernetes' result there is undefined: 0 for a
  // value it holds as int64 * 10^scale, such as "12E", the low 64 bits for one it holds as an inf.Dec,
  // such as "9223372036854775808"; saturating keeps "more than anything" more than anything.)
  int64_t ScaledValue(int scale) const;
  // The value in units of 10^-9, saturating at the int128 range.
  absl::int128 Nanos() const;
  double AsApproximateDouble() const;

  bool IsZero() const { return digits_.empty(); }
  // -1, 0 or 1.
  int Sign() const { return IsZero() ? 0 : (negative_ ? -1 : 1); }
  Format format() const { return format_; }

  // In-place arithmetic, as Quantity.Add/Sub/Neg. If this value is zero, it takes the other's format.
  // Exact, unless the result would span more than 2^20 decimal digits (adding 1n to 1e2000000, say):
  // then the operand's digits below that span are rounded up, away from zero, where Kubernetes would
  // allocate every digit.
  void Add(const Quantity& other);
  void Sub(const Quantity& other);
  void Neg();
  // Rounds up (away from zero) to a multiple of 10^scale, as Quantity.RoundUp; false if that changed
  // the value. kube-apiserver rounds every resource list to milli units this way (RoundUp(-3)).
  bool RoundUp(int scale);

  // Kubernetes' canonical form (Quantity.String()): "1536Mi" for 1.5Gi, "100m" for 0.1, "10e3" for 1e4.
  std::string ToString() const;
  std::string CanonicalString() const { return ToString(); }

  friend bool operator==(const Quantity& a, const Quantity& b) {
    return a.negative_ == b.negative_ && a.exponent_ == b.exponent_ && a.digits_ == b.digits_;
  }
  friend std::strong_ordering operator<=>(const Quantity& a, const Quantity& b);

 private:
  // The value is (negative_ ? -1 : 1) * digits_ * 10^exponent_, in one form only: digits_ has no
  // leading or trailing zeros, zero is ("", 0, false), and exponent_ >= -9.
  std::string digits_;
  int64_t exponent_ = 0;
  bool negative_ = false;
  Format format_ = Format::kDecimalSI;
};

// An int32 or a string (intstr.IntOrString): a port number or name, a count or a percentage.
struct IntOrString {
  enum class Type { kInt, kString };

  Type type = Type::kInt;
  int32_t intVal = 0;
  std::string strVal;

  static IntOrString FromInt(int32_t value) { return IntOrString{Type::kInt, value, ""}; }
  static IntOrString FromString(std::string value) { return IntOrString{Type::kString, 0, std::move(value)}; }

  bool IsInt() const { return type == Type::kInt; }
  // The int, or the string parsed as a decimal integer (0 if it is not one), as IntValue().
  int32_t IntValue() const;
  // "80" or "http", as String().
  std::string ToString() const;

  // An int is returned as is; a percentage "p%" is p * total / 100, rounded up or down. Any other
  // string is InvalidArgument: `invalid value for IntOrString: invalid type: string is not a
  // percentage` (GetScaledValueFromIntOrPercent).
  absl::StatusOr<int> GetScaledValueFromIntOrPercent(int total, bool round_up) const;

  friend bool operator==(const IntOrString&, const IntOrString&) = default;
};

}  // namespace orch

#endif  // ORCH_API_QUANTITY_H_

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

// A fixed-point number with a unit suffix, as in `resources.limits.cpu: 500m` (resource.Quantity).
//
// The value is exact to the nano (10^-9): parsing rounds finer values up (away from zero), as
// Kubernetes does. A parsed quantity keeps its text so that encoding gives back what the user wrote
// ("1.5Gi" stays "1.5Gi", where Kubernetes would write "1536Mi"); a computed one is written in
// Kubernetes' canonical form. Comparison and equality are by value: "1Gi" == "1024Mi".
class Quantity {
 public:
  // How a computed value is written: 12e6, 12Mi (12 * 2^20) or 12M (12 * 10^6).
  enum class Format { kDecimalExponent, kBinarySI, kDecimalSI };

  // Zero, written "0".
  Quantity() = default;

  // Parses Kubernetes quantity syntax: an optional sign, a decimal number, and a suffix that is a
  // decimal SI one (n u m "" k M G T P E), a binary SI one (Ki Mi Gi Ti Pi Ei) or a decimal exponent
  // (e3, E-2). Errors are InvalidArgument and quote the text:
  // `quantity "12mi": unable to parse quantity's suffix`.
  static absl::StatusOr<Quantity> Parse(absl::string_view text);
  // value * 10^-3 and value, as resource.NewMilliQuantity / NewQuantity.
  static Quantity FromMilli(int64_t milli_value, Format format = Format::kDecimalSI);
  static Quantity FromValue(int64_t value, Format format = Format::kDecimalSI);
  // The exact value in units of 10^-9 (see Nanos()).
  static Quantity FromNanos(absl::int128 nanos, Format format = Format::kDecimalSI);

  // The value rounded up (away from zero) to a whole number, as Quantity.Value(); saturates at the
  // int64 range.
  int64_t Value() const;
  // The value in thousandths, rounded up (away from zero), as Quantity.MilliValue(); saturates.
  int64_t MilliValue() const;
  // The value in units of 10^scale (scale >= -9), rounded up (away from zero); saturates.
  int64_t ScaledValue(int scale) const;
  // The exact value in units of 10^-9.
  absl::int128 Nanos() const { return nanos_; }
  double AsApproximateDouble() const;

  bool IsZero() const { return nanos_ == 0; }
  // -1, 0 or 1.
  int Sign() const { return nanos_ < 0 ? -1 : (nanos_ > 0 ? 1 : 0); }
  Format format() const { return format_; }

  // In-place arithmetic, as Quantity.Add/Sub/Neg. The result is written canonically. If this value is
  // zero, it takes the other's format.
  void Add(const Quantity& other);
  void Sub(const Quantity& other);
  void Neg();

  // The text to write: the parsed text when there is one, else CanonicalString().
  std::string ToString() const { return text_.empty() ? CanonicalString() : text_; }
  // Kubernetes' canonical form: "1536Mi" for 1.5Gi, "100m" for 0.1, "10e3" for 1e4.
  std::string CanonicalString() const;

  friend bool operator==(const Quantity& a, const Quantity& b) { return a.nanos_ == b.nanos_; }
  friend std::strong_ordering operator<=>(const Quantity& a, const Quantity& b) {
    return a.nanos_ < b.nanos_
               ? std::strong_ordering::less
               : (a.nanos_ == b.nanos_ ? std::strong_ordering::equal : std::strong_ordering::greater);
  }

 private:
  absl::int128 nanos_ = 0;
  Format format_ = Format::kDecimalSI;
  std::string text_;  // the parsed text when it stands for the value exactly, else empty
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

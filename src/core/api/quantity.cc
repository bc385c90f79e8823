// resource.Quantity and intstr.IntOrString, following k8s.io/apimachinery's parsing, rounding and
// canonical formatting rules, with exact arithmetic in units of 10^-9.
#include "orch/api/quantity.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "src/core/api/strconv.h"

namespace orch {
namespace {

using Format = Quantity::Format;

constexpr int64_t kNanosPerUnit = 1000000000;
// Kubernetes caps quantities at the int64 range of whole units (maxAllowed); orch applies the cap to
// every format, since no consumer can use more.
const absl::int128 kMaxNanos = absl::int128(std::numeric_limits<int64_t>::max()) * kNanosPerUnit;
// Decimal digits of kMaxNanos (9223372036854775807000000000).
constexpr size_t kMaxNanosDigits = 28;

constexpr absl::string_view kFormatWrong =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
constexpr absl::string_view kSuffixWrong = "unable to parse quantity's suffix";

absl::int128 Pow10(int exponent) {
  absl::int128 result = 1;
  for (int i = 0; i < exponent; ++i) result *= 10;
  return result;
}

// Decimal text of an int128 (absl 20220623 has no absl::StrCat overload for it).
std::string Int128ToString(absl::int128 value) {
  if (value == 0) return "0";
  bool negative = value < 0;
  absl::uint128 magnitude = negative ? absl::uint128(-(value + 1)) + 1 : absl::uint128(value);
  std::string digits;
  while (magnitude != 0) {
    digits.push_back(static_cast<char>('0' + static_cast<int>(magnitude % 10)));
    magnitude /= 10;
  }
  if (negative) digits.push_back('-');
  std::reverse(digits.begin(), digits.end());
  return digits;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The parts of quantity text, as parseQuantityString splits them.
struct Scanned {
  bool positive = true;
  absl::string_view num;     // integer digits without leading zeros ("0" when none)
  absl::string_view denom;   // fraction digits
  absl::string_view suffix;  // everything after the number
};

// A port of parseQuantityString: sign, digits, optional fraction, then a suffix made of the letters
// "eEinumkKMGTP", an optional sign and digits. Returns false on text that cannot be a quantity.
bool Scan(absl::string_view str, Scanned* out) {
  size_t pos = 0;
  const size_t end = str.size();
  if (pos < end && (str[0] == '-' || str[0] == '+')) {
    out->positive = str[0] == '+';
    ++pos;
  }
  while (pos < end && str[pos] == '0') ++pos;
  if (pos >= end) {
    out->num = "0";
    return true;
  }
  size_t start = pos;
  while (pos < end && IsDigit(str[pos])) ++pos;
  out->num = pos == start ? absl::string_view("0") : str.substr(start, pos - start);
  if (pos < end && str[pos] == '.') {
    start = ++pos;
    while (pos < end && IsDigit(str[pos])) ++pos;
    out->denom = str.substr(start, pos - start);
  }
  const size_t suffix_start = pos;
  while (pos < end && absl::string_view("eEinumkKMGTP").find(str[pos]) != absl::string_view::npos) ++pos;
  if (pos < end && (str[pos] == '-' || str[pos] == '+')) ++pos;
  while (pos < end && IsDigit(str[pos])) ++pos;
  if (pos < end) return false;
  out->suffix = str.substr(suffix_start);
  return true;
}

// The meaning of a suffix: value * base^exponent, written in `format`.
struct Suffix {
  int base;
  int32_t exponent;
  Format format;
};

constexpr const char* kDecimalSuffixes[] = {"n", "u", "m", "", "k", "M", "G", "T", "P", "E"};
constexpr const char* kBinarySuffixes[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};

// quantitySuffixer.interpret: the SI tables first, then a decimal exponent "e<int>"/"E<int>".
std::optional<Suffix> Interpret(absl::string_view suffix) {
  for (int i = 0; i < 10; ++i) {
    if (suffix == kDecimalSuffixes[i]) return Suffix{10, static_cast<int32_t>(3 * i - 9), Format::kDecimalSI};
  }
  for (int i = 1; i < 7; ++i) {
    if (suffix == kBinarySuffixes[i]) return Suffix{2, static_cast<int32_t>(10 * i), Format::kBinarySI};
  }
  if (suffix.size() > 1 && (suffix[0] == 'e' || suffix[0] == 'E')) {
    std::optional<int64_t> exponent = ParseInt64(suffix.substr(1));
    // Kubernetes truncates the exponent to int32; C++20 defines the same wrap-around.
    if (exponent) return Suffix{10, static_cast<int32_t>(*exponent), Format::kDecimalExponent};
  }
  return std::nullopt;
}

// digits := digits * factor, on decimal text.
void MultiplySmall(std::string* digits, unsigned factor) {
  unsigned carry = 0;
  for (size_t i = digits->size(); i-- > 0;) {
    unsigned v = static_cast<unsigned>((*digits)[i] - '0') * factor + carry;
    (*digits)[i] = static_cast<char>('0' + v % 10);
    carry = v / 10;
  }
  while (carry != 0) {
    digits->insert(digits->begin(), static_cast<char>('0' + carry % 10));
    carry /= 10;
  }
}

// The magnitude of digits * 10^exponent10 in nanos, rounded up and capped at kMaxNanos. Sets
// *exact to false when it rounded or capped. `digits` has no leading or trailing zeros.
absl::int128 ToNanos(const std::string& digits, int64_t exponent10, bool* exact) {
  const int64_t n = static_cast<int64_t>(digits.size());
  if (n == 0) return 0;
  int64_t integer_digits = n + exponent10;
  if (integer_digits > static_cast<int64_t>(kMaxNanosDigits)) {
    *exact = false;
    return kMaxNanos;
  }
  absl::int128 value = 0;
  for (int64_t i = 0; i < std::min(n, integer_digits); ++i) value = value * 10 + (digits[i] - '0');
  if (exponent10 >= 0) {
    value *= Pow10(static_cast<int>(exponent10));
  } else {
    // Trailing zeros were stripped, so dropped digits are never all zero: round up.
    value += 1;
    *exact = false;
  }
  if (value > kMaxNanos) {
    *exact = false;
    return kMaxNanos;
  }
  return value;
}

std::string QuantityError(absl::string_view text, absl::string_view message) {
  return absl::StrCat("quantity \"", text.substr(0, 64), text.size() > 64 ? "..." : "", "\": ", message);
}

}  // namespace

absl::StatusOr<Quantity> Quantity::Parse(absl::string_view text) {
  if (text.empty()) return absl::InvalidArgumentError(QuantityError(text, kFormatWrong));
  Scanned scanned;
  if (!Scan(text, &scanned)) return absl::InvalidArgumentError(QuantityError(text, kFormatWrong));
  std::optional<Suffix> suffix = Interpret(scanned.suffix);
  if (!suffix) return absl::InvalidArgumentError(QuantityError(text, kSuffixWrong));

  // value = digits * 10^exponent10 * 2^binary_exponent, with no leading or trailing zeros in digits.
  std::string digits = absl::StrCat(scanned.num, scanned.denom);
  int64_t exponent10 = -static_cast<int64_t>(scanned.denom.size()) + 9;
  if (suffix->base == 10) exponent10 += suffix->exponent;
  digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size()));
  if (suffix->base == 2) {
    for (int i = 0; i < suffix->exponent / 10; ++i) MultiplySmall(&digits, 1024);
  }
  while (!digits.empty() && digits.back() == '0') {
    digits.pop_back();
    ++exponent10;
  }
  bool exact = true;
  absl::int128 magnitude = ToNanos(digits, exponent10, &exact);

  Quantity q;
  q.nanos_ = scanned.positive ? magnitude : -magnitude;
  q.format_ = suffix->format;
  // As Kubernetes: a binary quantity below one is written as a decimal one.
  if (q.format_ == Format::kBinarySI && magnitude > 0 && magnitude < kNanosPerUnit) {
    q.format_ = Format::kDecimalSI;
  }
  if (exact) q.text_ = std::string(text);
  return q;
}

Quantity Quantity::FromMilli(int64_t milli_value, Format format) {
  return FromNanos(absl::int128(milli_value) * 1000000, format);
}

Quantity Quantity::FromValue(int64_t value, Format format) {
  return FromNanos(absl::int128(value) * kNanosPerUnit, format);
}

Quantity Quantity::FromNanos(absl::int128 nanos, Format format) {
  Quantity q;
  q.nanos_ = nanos;
  q.format_ = format;
  return q;
}

int64_t Quantity::ScaledValue(int scale) const {
  scale = std::clamp(scale, -9, 28);
  absl::int128 divisor = Pow10(scale + 9);
  absl::int128 quotient = nanos_ / divisor;
  if (nanos_ % divisor != 0) quotient += nanos_ > 0 ? 1 : -1;
  if (quotient > std::numeric_limits<int64_t>::max()) return std::numeric_limits<int64_t>::max();
  if (quotient < std::numeric_limits<int64_t>::min()) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(quotient);
}

int64_t Quantity::Value() const { return ScaledValue(0); }

int64_t Quantity::MilliValue() const { return ScaledValue(-3); }

double Quantity::AsApproximateDouble() const { return static_cast<double>(nanos_) / 1e9; }

void Quantity::Add(const Quantity& other) {
  if (nanos_ == 0) format_ = other.format_;
  nanos_ += other.nanos_;
  text_.clear();
}

void Quantity::Sub(const Quantity& other) {
  if (nanos_ == 0) format_ = other.format_;
  nanos_ -= other.nanos_;
  text_.clear();
}

void Quantity::Neg() {
  nanos_ = -nanos_;
  text_.clear();
}

std::string Quantity::CanonicalString() const {
  if (nanos_ == 0) return "0";
  Format format = format_;
  const absl::int128 kilo_binary = absl::int128(1024) * kNanosPerUnit;
  if (format == Format::kBinarySI &&
      ((nanos_ > -kilo_binary && nanos_ < kilo_binary) || nanos_ % kNanosPerUnit != 0)) {
    // As Kubernetes: small or fractional binary quantities are written in decimal SI.
    format = Format::kDecimalSI;
  }
  if (format == Format::kBinarySI) {
    absl::int128 mantissa = nanos_ / kNanosPerUnit;
    int power = 0;
    while (power < 6 && mantissa % 1024 == 0) {
      mantissa /= 1024;
      ++power;
    }
    return Int128ToString(mantissa) + kBinarySuffixes[power];
  }
  absl::int128 mantissa = nanos_;
  int exponent = -9;
  while (mantissa % 10 == 0) {
    mantissa /= 10;
    ++exponent;
  }
  // Lower the exponent to a multiple of three, as AsCanonicalBytes does.
  int remainder = ((exponent % 3) + 3) % 3;
  mantissa *= Pow10(remainder);
  exponent -= remainder;
  if (format == Format::kDecimalSI && exponent <= 18) {
    return Int128ToString(mantissa) + kDecimalSuffixes[(exponent + 9) / 3];
  }
  if (exponent == 0) return Int128ToString(mantissa);
  return absl::StrCat(Int128ToString(mantissa), "e", exponent);
}

namespace {

// Go's strconv.Atoi on a 64-bit platform.
std::optional<int64_t> Atoi(absl::string_view s) { return ParseInt64(s); }

}  // namespace

int32_t IntOrString::IntValue() const {
  if (type == Type::kInt) return intVal;
  std::optional<int64_t> v = Atoi(strVal);
  if (!v) return 0;
  return static_cast<int32_t>(*v);
}

std::string IntOrString::ToString() const { return type == Type::kInt ? absl::StrCat(intVal) : strVal; }

absl::StatusOr<int> IntOrString::GetScaledValueFromIntOrPercent(int total, bool round_up) const {
  if (type == Type::kInt) return intVal;
  absl::string_view s = strVal;
  if (s.empty() || s.back() != '%') {
    return absl::InvalidArgumentError(
        "invalid value for IntOrString: invalid type: string is not a percentage");
  }
  std::optional<int64_t> percent = Atoi(s.substr(0, s.size() - 1));
  if (!percent) {
    return absl::InvalidArgumentError(absl::StrCat("invalid value for IntOrString: invalid value \"", strVal,
                                                   "\": not an integer percentage"));
  }
  // Exact ceil/floor of percent * total / 100 (Kubernetes computes it in float64).
  absl::int128 product = absl::int128(*percent) * total;
  absl::int128 quotient = product / 100;
  absl::int128 remainder = product % 100;
  if (remainder != 0) {
    if (round_up && product > 0) quotient += 1;
    if (!round_up && product < 0) quotient -= 1;
  }
  quotient = std::clamp(quotient, absl::int128(std::numeric_limits<int>::min()),
                        absl::int128(std::numeric_limits<int>::max()));
  return static_cast<int>(quotient);
}

}  // namespace orch

// resource.Quantity and intstr.IntOrString, following k8s.io/apimachinery's parsing, rounding and
// canonical formatting rules, with exact decimal arithmetic on digit strings.
#include "orch/api/quantity.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "src/core/api/strconv.h"

namespace orch {
namespace {

using Format = Quantity::Format;

constexpr absl::string_view kFormatWrong =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
constexpr absl::string_view kSuffixWrong = "unable to parse quantity's suffix";
constexpr absl::string_view kNumericWrong = "unable to parse numeric part of quantity";

// The widest span of decimal digits arithmetic keeps (see Quantity::Add).
constexpr int64_t kMaxSpanDigits = int64_t{1} << 20;

// A magnitude: digits * 10^exponent, digits without leading or trailing zeros ("" for zero).
struct Magnitude {
  std::string digits;
  int64_t exponent = 0;

  bool IsZero() const { return digits.empty(); }
  // One past the position of the highest digit: 3 for 123 (10^2 is its top digit's weight).
  int64_t Top() const { return exponent + static_cast<int64_t>(digits.size()); }
};

// Puts `digits` (any decimal text) times 10^`exponent` in the one form Magnitude documents.
Magnitude Normalized(std::string digits, int64_t exponent) {
  size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return Magnitude{};
  size_t last = digits.find_last_not_of('0');
  exponent += static_cast<int64_t>(digits.size() - 1 - last);
  digits.resize(last + 1);
  digits.erase(0, first);
  return Magnitude{std::move(digits), exponent};
}

int Compare(const Magnitude& a, const Magnitude& b) {
  if (a.IsZero() || b.IsZero()) return static_cast<int>(!a.IsZero()) - static_cast<int>(!b.IsZero());
  if (a.Top() != b.Top()) return a.Top() < b.Top() ? -1 : 1;
  // Same top digit: compare digit by digit; with no trailing zeros, the longer one is then larger.
  size_t n = std::min(a.digits.size(), b.digits.size());
  int c = a.digits.compare(0, n, b.digits, 0, n);
  if (c != 0) return c < 0 ? -1 : 1;
  if (a.digits.size() == b.digits.size()) return 0;
  return a.digits.size() < b.digits.size() ? -1 : 1;
}

// digits := digits + 1, on decimal text.
void Increment(std::string* digits) {
  for (size_t i = digits->size(); i-- > 0;) {
    if ((*digits)[i] != '9') {
      ++(*digits)[i];
      return;
    }
    (*digits)[i] = '0';
  }
  digits->insert(digits->begin(), '1');
}

// Rounds up, away from zero, to a multiple of 10^floor (inf.RoundUp). Returns false if that changed it.
bool RoundAwayAt(Magnitude* m, int64_t floor) {
  if (m->IsZero() || m->exponent >= floor) return true;
  int64_t dropped = floor - m->exponent;
  if (dropped >= static_cast<int64_t>(m->digits.size())) {
    *m = Magnitude{"1", floor};
    return false;
  }
  // The dropped digits are never all zero (the last digit is not zero), so the kept ones go up by one.
  std::string kept = m->digits.substr(0, m->digits.size() - static_cast<size_t>(dropped));
  Increment(&kept);
  *m = Normalized(std::move(kept), floor);
  return false;
}

// The digits of `m` followed by its exponent's zeros, lowered to 10^exponent (exponent <= m.exponent).
std::string AlignedDigits(const Magnitude& m, int64_t exponent) {
  return m.digits + std::string(static_cast<size_t>(m.exponent - exponent), '0');
}

Magnitude AddMagnitudes(const Magnitude& a, const Magnitude& b) {
  int64_t exponent = std::min(a.exponent, b.exponent);
  std::string x = AlignedDigits(a, exponent);
  std::string y = AlignedDigits(b, exponent);
  if (x.size() < y.size()) std::swap(x, y);
  int carry = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    size_t xi = x.size() - 1 - i;
    int sum = (x[xi] - '0') + carry + (i < y.size() ? y[y.size() - 1 - i] - '0' : 0);
    x[xi] = static_cast<char>('0' + sum % 10);
    carry = sum / 10;
  }
  if (carry != 0) x.insert(x.begin(), '1');
  return Normalized(std::move(x), exponent);
}

// a - b, for a >= b.
Magnitude SubtractMagnitudes(const Magnitude& a, const Magnitude& b) {
  int64_t exponent = std::min(a.exponent, b.exponent);
  std::string x = AlignedDigits(a, exponent);
  std::string y = AlignedDigits(b, exponent);
  int borrow = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    size_t xi = x.size() - 1 - i;
    int diff = (x[xi] - '0') - borrow - (i < y.size() ? y[y.size() - 1 - i] - '0' : 0);
    borrow = diff < 0 ? 1 : 0;
    x[xi] = static_cast<char>('0' + diff + 10 * borrow);
  }
  return Normalized(std::move(x), exponent);
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

// digits := digits / divisor if divisor divides it; else false and digits unchanged.
bool DivideExactly(std::string* digits, unsigned divisor) {
  std::string quotient;
  unsigned remainder = 0;
  for (char c : *digits) {
    unsigned v = remainder * 10 + static_cast<unsigned>(c - '0');
    if (!quotient.empty() || v / divisor != 0) quotient.push_back(static_cast<char>('0' + v / divisor));
    remainder = v % divisor;
  }
  if (remainder != 0) return false;
  *digits = quotient.empty() ? "0" : std::move(quotient);
  return true;
}

std::string UnsignedToString(absl::uint128 value) {
  std::string digits;
  do {
    digits.push_back(static_cast<char>('0' + static_cast<int>(value % 10)));
    value /= 10;
  } while (value != 0);
  std::reverse(digits.begin(), digits.end());
  return digits;
}

// digits * 10^zeros as an unsigned integer, or nullopt when that exceeds `limit`.
std::optional<absl::uint128> ToUnsigned(const std::string& digits, int64_t zeros, absl::uint128 limit) {
  if (static_cast<int64_t>(digits.size()) + zeros > 38) return std::nullopt;  // 10^38 < 2^127
  absl::uint128 value = 0;
  for (char c : digits) value = value * 10 + static_cast<unsigned>(c - '0');
  for (int64_t i = 0; i < zeros; ++i) value *= 10;
  if (value > limit) return std::nullopt;
  return value;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The parts of quantity text, as parseQuantityString splits them.
struct Scanned {
  bool positive = true;
  bool has_digits = false;   // whether the number before the suffix has a digit ("Gi" has none)
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
  const size_t number_start = pos;
  while (pos < end && str[pos] == '0') ++pos;
  if (pos >= end) {
    out->num = "0";
    out->has_digits = pos > number_start;
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
  out->has_digits = str.substr(number_start, suffix_start - number_start).find_first_of("0123456789") !=
                    absl::string_view::npos;
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

std::string QuantityError(absl::string_view text, absl::string_view message) {
  return absl::StrCat("quantity \"", text.substr(0, 64), text.size() > 64 ? "..." : "", "\": ", message);
}

// The largest binary-SI quantity Kubernetes parses (maxAllowed): 2^63-1 units.
const Magnitude& MaxBinary() {
  static const Magnitude* const kMax = new Magnitude{"9223372036854775807", 0};
  return *kMax;
}

// Decimal text for digits * 10^exponent, in decimal SI or as a decimal exponent (AsCanonicalBytes and
// the decimal suffixes): the exponent lowered to a multiple of three; beyond "E" the exponent form, as
// Kubernetes writes since kubernetes/kubernetes#140459 (before, it dropped the exponent).
std::string DecimalText(const std::string& digits, int64_t exponent, Format format) {
  int64_t lower = ((exponent % 3) + 3) % 3;
  std::string mantissa = digits + std::string(static_cast<size_t>(lower), '0');
  exponent -= lower;
  if (format == Format::kDecimalSI && exponent >= -9 && exponent <= 18) {
    return mantissa + kDecimalSuffixes[(exponent + 9) / 3];
  }
  if (exponent == 0) return mantissa;
  return absl::StrCat(mantissa, "e", exponent);
}

}  // namespace

absl::StatusOr<Quantity> Quantity::Parse(absl::string_view text) {
  if (text.empty()) return absl::InvalidArgumentError(QuantityError(text, kFormatWrong));
  Scanned scanned;
  if (!Scan(text, &scanned)) return absl::InvalidArgumentError(QuantityError(text, kFormatWrong));
  std::optional<Suffix> suffix = Interpret(scanned.suffix);
  if (!suffix) return absl::InvalidArgumentError(QuantityError(text, kSuffixWrong));
  // Kubernetes reads such a number as text only below the nano, and then finds no digits in it.
  if (!scanned.has_digits && suffix->base == 10 && suffix->exponent < -9) {
    return absl::InvalidArgumentError(QuantityError(text, kNumericWrong));
  }

  int64_t exponent = -static_cast<int64_t>(scanned.denom.size());
  if (suffix->base == 10) exponent += suffix->exponent;
  Magnitude m = Normalized(absl::StrCat(scanned.num, scanned.denom), exponent);
  if (suffix->base == 2 && !m.IsZero()) {
    for (int i = 0; i < suffix->exponent / 10; ++i) MultiplySmall(&m.digits, 1024);
    m = Normalized(std::move(m.digits), m.exponent);
  }
  RoundAwayAt(&m, -9);
  if (suffix->format == Format::kBinarySI && Compare(m, MaxBinary()) > 0) m = MaxBinary();

  Quantity q;
  q.format_ = suffix->format;
  // As Kubernetes: a binary quantity below one is written as a decimal one.
  if (q.format_ == Format::kBinarySI && !m.IsZero() && m.Top() <= 0) q.format_ = Format::kDecimalSI;
  q.negative_ = !scanned.positive && !m.IsZero();
  q.digits_ = std::move(m.digits);
  q.exponent_ = m.exponent;
  return q;
}

Quantity Quantity::FromMilli(int64_t milli_value, Format format) {
  return FromNanos(absl::int128(milli_value) * 1000000, format);
}

Quantity Quantity::FromValue(int64_t value, Format format) {
  return FromNanos(absl::int128(value) * 1000000000, format);
}

Quantity Quantity::FromNanos(absl::int128 nanos, Format format) {
  Quantity q;
  q.format_ = format;
  if (nanos == 0) return q;
  q.negative_ = nanos < 0;
  absl::uint128 magnitude = q.negative_ ? absl::uint128(-(nanos + 1)) + 1 : absl::uint128(nanos);
  Magnitude m = Normalized(UnsignedToString(magnitude), -9);
  q.digits_ = std::move(m.digits);
  q.exponent_ = m.exponent;
  return q;
}

int64_t Quantity::ScaledValue(int scale) const {
  if (IsZero()) return 0;
  Magnitude m{digits_, exponent_};
  RoundAwayAt(&m, scale);
  const absl::uint128 limit = absl::uint128(std::numeric_limits<int64_t>::max()) + (negative_ ? 1 : 0);
  std::optional<absl::uint128> value = ToUnsigned(m.digits, m.exponent - scale, limit);
  if (!value) return negative_ ? std::numeric_limits<int64_t>::min() : std::numeric_limits<int64_t>::max();
  if (!negative_) return static_cast<int64_t>(*value);
  return *value == limit ? std::numeric_limits<int64_t>::min() : -static_cast<int64_t>(*value);
}

absl::int128 Quantity::Nanos() const {
  if (IsZero()) return 0;
  const absl::uint128 limit = absl::uint128(std::numeric_limits<absl::int128>::max()) + (negative_ ? 1 : 0);
  std::optional<absl::uint128> value = ToUnsigned(digits_, exponent_ + 9, limit);
  if (!value)
    return negative_ ? std::numeric_limits<absl::int128>::min() : std::numeric_limits<absl::int128>::max();
  return negative_ ? -absl::int128(*value) : absl::int128(*value);
}

double Quantity::AsApproximateDouble() const {
  if (IsZero()) return 0;
  return std::strtod(absl::StrCat(negative_ ? "-" : "", digits_, "e", exponent_).c_str(), nullptr);
}

void Quantity::Add(const Quantity& other) {
  if (IsZero()) format_ = other.format_;
  if (other.IsZero()) return;
  Magnitude b{other.digits_, other.exponent_};  // first: `other` may be this one
  Magnitude a{std::move(digits_), exponent_};
  if (!a.IsZero()) {
    int64_t top = std::max(a.Top(), b.Top());
    if (top - std::min(a.exponent, b.exponent) > kMaxSpanDigits) {
      RoundAwayAt(&a, top - kMaxSpanDigits);
      RoundAwayAt(&b, top - kMaxSpanDigits);
    }
  }
  Magnitude sum;
  if (negative_ == other.negative_ || a.IsZero()) {
    sum = AddMagnitudes(a, b);
    negative_ = other.negative_;
  } else if (Compare(a, b) >= 0) {
    sum = SubtractMagnitudes(a, b);
  } else {
    sum = SubtractMagnitudes(b, a);
    negative_ = other.negative_;
  }
  if (sum.IsZero()) negative_ = false;
  digits_ = std::move(sum.digits);
  exponent_ = sum.exponent;
}

void Quantity::Sub(const Quantity& other) {
  Quantity negated = other;
  negated.Neg();
  Add(negated);
}

void Quantity::Neg() { negative_ = !negative_ && !IsZero(); }

bool Quantity::RoundUp(int scale) {
  Magnitude m{std::move(digits_), exponent_};
  bool exact = RoundAwayAt(&m, scale);
  digits_ = std::move(m.digits);
  exponent_ = m.exponent;
  return exact;
}

std::strong_ordering operator<=>(const Quantity& a, const Quantity& b) {
  if (a.Sign() != b.Sign()) return a.Sign() <=> b.Sign();
  int c = Compare(Magnitude{a.digits_, a.exponent_}, Magnitude{b.digits_, b.exponent_});
  return (a.negative_ ? -c : c) <=> 0;
}

// CanonicalizeBytes.
std::string Quantity::ToString() const {
  if (IsZero()) return "0";
  const char* sign = negative_ ? "-" : "";
  Format format = format_;
  if (format == Format::kBinarySI &&
      (exponent_ < 0 || Compare(Magnitude{digits_, exponent_}, Magnitude{"1024", 0}) < 0)) {
    // As Kubernetes: binary quantities below 1024 or with a fraction are written in decimal SI.
    format = Format::kDecimalSI;
  }
  // A multiple of 10^70 is one of 1024^7, beyond "Ei": Kubernetes then writes the exponent form.
  if (format == Format::kBinarySI && exponent_ < 70) {
    std::string mantissa = digits_ + std::string(static_cast<size_t>(exponent_), '0');
    size_t power = 0;
    while (power < 7 && DivideExactly(&mantissa, 1024)) ++power;
    if (power < 7) return absl::StrCat(sign, mantissa, kBinarySuffixes[power]);
  }
  if (format == Format::kBinarySI) format = Format::kDecimalExponent;
  return sign + DecimalText(digits_, exponent_, format);
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

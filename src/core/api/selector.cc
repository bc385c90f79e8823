// Label selectors as k8s.io/apimachinery/pkg/labels/selector.go lexes, parses and matches them,
// with its messages. Parse errors add ` at position N in "<text>"`, N being the 0-based byte offset
// of the offending token. Field selectors are in field_selector.cc.
#include "orch/api/selector.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "src/core/api/names.h"
#include "src/core/api/strconv.h"

namespace orch {
namespace {

using Operator = LabelSelector::Operator;

// ---- Label selector lexer: tokens as Kubernetes' Lexer produces them, with their offsets. ----

enum class Token {
  kEndOfString,
  kClosedPar,
  kComma,
  kDoesNotExist,
  kDoubleEquals,
  kEquals,
  kGreaterThan,
  kIdentifier,
  kIn,
  kLessThan,
  kNotEquals,
  kNotIn,
  kOpenPar,
};

struct ScannedItem {
  Token token;
  std::string literal;
  size_t pos;
};

bool IsWhitespace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool IsSpecialSymbol(char c) {
  switch (c) {
    case '=':
    case '!':
    case '(':
    case ')':
    case ',':
    case '>':
    case '<':
      return true;
    default:
      return false;
  }
}

// Every single special symbol is a token, and "==" and "!=" are the only longer ones, so the
// longest match Kubernetes' scanSpecialSymbol looks for is at most two characters.
ScannedItem ScanSpecialSymbol(absl::string_view text, size_t pos) {
  char c = text[pos];
  bool next_is_equals = pos + 1 < text.size() && text[pos + 1] == '=';
  switch (c) {
    case '=':
      return next_is_equals ? ScannedItem{Token::kDoubleEquals, "==", pos}
                            : ScannedItem{Token::kEquals, "=", pos};
    case '!':
      return next_is_equals ? ScannedItem{Token::kNotEquals, "!=", pos}
                            : ScannedItem{Token::kDoesNotExist, "!", pos};
    case '(':
      return {Token::kOpenPar, "(", pos};
    case ')':
      return {Token::kClosedPar, ")", pos};
    case ',':
      return {Token::kComma, ",", pos};
    case '>':
      return {Token::kGreaterThan, ">", pos};
    default:
      return {Token::kLessThan, "<", pos};
  }
}

// Unlike Go's lexer, a NUL byte is an ordinary character here, not an early end of the text, so
// nothing after it is silently ignored.
std::vector<ScannedItem> Scan(absl::string_view text) {
  std::vector<ScannedItem> items;
  size_t pos = 0;
  while (true) {
    while (pos < text.size() && IsWhitespace(text[pos])) ++pos;
    if (pos >= text.size()) {
      items.push_back({Token::kEndOfString, "", text.size()});
      return items;
    }
    if (IsSpecialSymbol(text[pos])) {
      items.push_back(ScanSpecialSymbol(text, pos));
      pos += items.back().literal.size();
      continue;
    }
    size_t start = pos;
    while (pos < text.size() && !IsSpecialSymbol(text[pos]) && !IsWhitespace(text[pos])) ++pos;
    std::string literal(text.substr(start, pos - start));
    Token token = literal == "in" ? Token::kIn : literal == "notin" ? Token::kNotIn : Token::kIdentifier;
    items.push_back({token, std::move(literal), start});
  }
}

// ---- Label selector parser: a port of Kubernetes' recursive-descent Parser. ----

enum class Context { kKeyAndOperator, kValues };

struct ParseError {
  std::string message;
  size_t pos;
};

// A value as written, with where it was written (for error positions).
struct PositionedValue {
  std::string value;
  size_t pos;
};

class Parser {
 public:
  explicit Parser(absl::string_view text) : items_(Scan(text)) {}

  // Parses the whole text; on failure returns false and error() says why.
  bool Parse(std::vector<LabelSelector::Requirement>* out);
  const ParseError& error() const { return error_; }

 private:
  const ScannedItem& Current() const { return items_[std::min(position_, items_.size() - 1)]; }
  // In the values context, `in` and `notin` are ordinary identifiers ("x in (in)").
  static Token InContext(Token token, Context context) {
    if (context == Context::kValues && (token == Token::kIn || token == Token::kNotIn)) {
      return Token::kIdentifier;
    }
    return token;
  }
  Token Lookahead(Context context) const { return InContext(Current().token, context); }
  const ScannedItem& Consume(Context context, Token* token) {
    const ScannedItem& item = Current();
    if (position_ < items_.size()) ++position_;
    *token = InContext(item.token, context);
    return item;
  }

  bool Fail(std::string message, size_t pos) {
    error_ = {std::move(message), pos};
    return false;
  }

  bool ParseRequirement(LabelSelector::Requirement* out);
  bool ParseKeyAndInferOperator(std::string* key, std::optional<Operator>* op);
  bool ParseOperator(Operator* op);
  bool ParseValues(std::vector<PositionedValue>* values);
  bool ParseIdentifiersList(std::vector<PositionedValue>* values);
  bool ParseExactValue(std::vector<PositionedValue>* values);
  bool NewRequirement(std::string key, Operator op, std::vector<PositionedValue> values,
                      LabelSelector::Requirement* out);

  std::vector<ScannedItem> items_;
  size_t position_ = 0;
  ParseError error_{"", 0};
};

bool Parser::Parse(std::vector<LabelSelector::Requirement>* out) {
  while (true) {
    const ScannedItem& item = Current();
    switch (Lookahead(Context::kValues)) {
      case Token::kIdentifier:
      case Token::kDoesNotExist: {
        LabelSelector::Requirement requirement;
        if (!ParseRequirement(&requirement)) {
          error_.message = absl::StrCat("unable to parse requirement: ", error_.message);
          return false;
        }
        out->push_back(std::move(requirement));
        Token token;
        const ScannedItem& next = Consume(Context::kValues, &token);
        if (token == Token::kEndOfString) return true;
        if (token != Token::kComma) {
          return Fail(absl::StrCat("found '", next.literal, "', expected: ',' or 'end of string'"), next.pos);
        }
        Token after = Lookahead(Context::kValues);
        if (after != Token::kIdentifier && after != Token::kDoesNotExist) {
          return Fail(absl::StrCat("found '", Current().literal, "', expected: identifier after ','"),
                      Current().pos);
        }
        break;
      }
      case Token::kEndOfString:
        return true;
      default:
        return Fail(absl::StrCat("found '", item.literal, "', expected: !, identifier, or 'end of string'"),
                    item.pos);
    }
  }
}

bool Parser::ParseRequirement(LabelSelector::Requirement* out) {
  std::string key;
  std::optional<Operator> op;
  if (!ParseKeyAndInferOperator(&key, &op)) return false;
  if (op.has_value()) return NewRequirement(std::move(key), *op, {}, out);
  Operator binary;
  if (!ParseOperator(&binary)) return false;
  std::vector<PositionedValue> values;
  bool ok = (binary == Operator::kIn || binary == Operator::kNotIn) ? ParseValues(&values)
                                                                    : ParseExactValue(&values);
  if (!ok) return false;
  return NewRequirement(std::move(key), binary, std::move(values), out);
}

// Reads `[!]key`; the operator is Exists or DoesNotExist when the key ends the requirement.
bool Parser::ParseKeyAndInferOperator(std::string* key, std::optional<Operator>* op) {
  Token token;
  const ScannedItem* item = &Consume(Context::kValues, &token);
  if (token == Token::kDoesNotExist) {
    *op = Operator::kDoesNotExist;
    item = &Consume(Context::kValues, &token);
  }
  if (token != Token::kIdentifier) {
    return Fail(absl::StrCat("found '", item->literal, "', expected: identifier"), item->pos);
  }
  if (std::vector<std::string> errs = IsQualifiedName(item->literal); !errs.empty()) {
    return Fail(FieldInvalid("key", item->literal, absl::StrJoin(errs, "; ")), item->pos);
  }
  *key = item->literal;
  Token next = Lookahead(Context::kValues);
  if ((next == Token::kEndOfString || next == Token::kComma) && !op->has_value()) *op = Operator::kExists;
  return true;
}

bool Parser::ParseOperator(Operator* op) {
  Token token;
  const ScannedItem& item = Consume(Context::kKeyAndOperator, &token);
  switch (token) {
    case Token::kIn:
      *op = Operator::kIn;
      return true;
    case Token::kEquals:
    case Token::kDoubleEquals:
      *op = Operator::kEquals;
      return true;
    case Token::kGreaterThan:
      *op = Operator::kGreaterThan;
      return true;
    case Token::kLessThan:
      *op = Operator::kLessThan;
      return true;
    case Token::kNotIn:
      *op = Operator::kNotIn;
      return true;
    case Token::kNotEquals:
      *op = Operator::kNotEquals;
      return true;
    default:
      return Fail(absl::StrCat("found '", item.literal, "', expected: in, notin, =, ==, !=, gt, lt"),
                  item.pos);
  }
}

// Reads `(v1,v2,...)`; "()" is the one empty value.
bool Parser::ParseValues(std::vector<PositionedValue>* values) {
  Token token;
  const ScannedItem& open = Consume(Context::kValues, &token);
  if (token != Token::kOpenPar) {
    return Fail(absl::StrCat("found '", open.literal, "' expected: '('"), open.pos);
  }
  const ScannedItem& item = Current();
  switch (Lookahead(Context::kValues)) {
    case Token::kIdentifier:
    case Token::kComma: {
      if (!ParseIdentifiersList(values)) return false;
      const ScannedItem& close = Consume(Context::kValues, &token);
      if (token != Token::kClosedPar) {
        return Fail(absl::StrCat("found '", close.literal, "', expected: ')'"), close.pos);
      }
      return true;
    }
    case Token::kClosedPar:
      Consume(Context::kValues, &token);
      values->push_back({"", item.pos});
      return true;
    default:
      return Fail(absl::StrCat("found '", item.literal, "', expected: ',', ')' or identifier"), item.pos);
  }
}

// A comma-separated list of possibly empty values: "(a,,b)" and "(a,)" both include "".
bool Parser::ParseIdentifiersList(std::vector<PositionedValue>* values) {
  while (true) {
    Token token;
    const ScannedItem& item = Consume(Context::kValues, &token);
    switch (token) {
      case Token::kIdentifier: {
        values->push_back({item.literal, item.pos});
        const ScannedItem& next = Current();
        switch (Lookahead(Context::kValues)) {
          case Token::kComma:
            continue;
          case Token::kClosedPar:
            return true;
          default:
            return Fail(absl::StrCat("found '", next.literal, "', expected: ',' or ')'"), next.pos);
        }
      }
      case Token::kComma: {
        if (values->empty()) values->push_back({"", item.pos});
        Token next = Lookahead(Context::kValues);
        if (next == Token::kClosedPar) {
          values->push_back({"", item.pos});
          return true;
        }
        if (next == Token::kComma) {
          Consume(Context::kValues, &token);
          values->push_back({"", item.pos});
        }
        break;
      }
      default:
        return Fail(absl::StrCat("found '", item.literal, "', expected: ',', or identifier"), item.pos);
    }
  }
}

// The value after =, ==, !=, > or <; missing means "".
bool Parser::ParseExactValue(std::vector<PositionedValue>* values) {
  Token next = Lookahead(Context::kValues);
  if (next == Token::kEndOfString || next == Token::kComma) {
    values->push_back({"", Current().pos});
    return true;
  }
  Token token;
  const ScannedItem& item = Consume(Context::kValues, &token);
  if (token == Token::kIdentifier) {
    values->push_back({item.literal, item.pos});
    return true;
  }
  return Fail(absl::StrCat("found '", item.literal, "', expected: identifier"), item.pos);
}

// labels.NewRequirement's checks on the values (the key is already checked), with the values
// sorted and deduplicated as Kubernetes' string sets do.
bool Parser::NewRequirement(std::string key, Operator op, std::vector<PositionedValue> values,
                            LabelSelector::Requirement* out) {
  std::stable_sort(values.begin(), values.end(),
                   [](const PositionedValue& a, const PositionedValue& b) { return a.value < b.value; });
  values.erase(
      std::unique(values.begin(), values.end(),
                  [](const PositionedValue& a, const PositionedValue& b) { return a.value == b.value; }),
      values.end());
  std::vector<std::string> errs;
  std::optional<size_t> first_error_pos;
  auto add_error = [&](std::string message, size_t pos) {
    errs.push_back(std::move(message));
    if (!first_error_pos) first_error_pos = pos;
  };
  if (op == Operator::kGreaterThan || op == Operator::kLessThan) {
    for (size_t i = 0; i < values.size(); ++i) {
      if (!ParseInt64(values[i].value)) {
        add_error(FieldInvalid(absl::StrCat("values[", i, "]"), values[i].value,
                               "for 'Gt', 'Lt' operators, the value must be an integer"),
                  values[i].pos);
      }
    }
  }
  for (size_t i = 0; i < values.size(); ++i) {
    if (std::vector<std::string> msgs = IsValidLabelValue(values[i].value); !msgs.empty()) {
      add_error(FieldInvalid(absl::StrCat("values[", i, "][", key, "]"), values[i].value,
                             absl::StrJoin(msgs, "; ")),
                values[i].pos);
    }
  }
  if (!errs.empty()) return Fail(AggregateErrors(errs), *first_error_pos);
  out->key = std::move(key);
  out->op = op;
  out->values.clear();
  for (PositionedValue& v : values) out->values.push_back(std::move(v.value));
  return true;
}

// Stable, so requirements on one key keep the order they were written in (and round-trip).
void SortByKey(std::vector<LabelSelector::Requirement>* requirements) {
  std::stable_sort(
      requirements->begin(), requirements->end(),
      [](const LabelSelector::Requirement& a, const LabelSelector::Requirement& b) { return a.key < b.key; });
}

// Where a parse error is, appended to Kubernetes' message.
std::string PositionSuffix(size_t pos, absl::string_view text) {
  return absl::StrCat(" at position ", pos, " in ", GoQuote(text));
}

// Requirement.Matches: != and notin match a missing key; > and < need an integer label value.
bool RequirementMatches(const LabelSelector::Requirement& r, const Labels& labels) {
  auto it = labels.find(r.key);
  bool has = it != labels.end();
  auto has_value = [&] { return std::find(r.values.begin(), r.values.end(), it->second) != r.values.end(); };
  switch (r.op) {
    case Operator::kEquals:
    case Operator::kIn:
      return has && has_value();
    case Operator::kNotEquals:
    case Operator::kNotIn:
      return !has || !has_value();
    case Operator::kExists:
      return has;
    case Operator::kDoesNotExist:
      return !has;
    case Operator::kGreaterThan:
    case Operator::kLessThan: {
      if (!has || r.values.size() != 1) return false;
      std::optional<int64_t> label_value = ParseInt64(it->second);
      std::optional<int64_t> bound = ParseInt64(r.values[0]);
      if (!label_value || !bound) return false;
      return r.op == Operator::kGreaterThan ? *label_value > *bound : *label_value < *bound;
    }
  }
  return false;
}

// Requirement.String: the text Parse reads back into the same requirement.
std::string RequirementToString(const LabelSelector::Requirement& r) {
  std::string values = absl::StrJoin(r.values, ",");
  switch (r.op) {
    case Operator::kEquals:
      return absl::StrCat(r.key, "=", values);
    case Operator::kNotEquals:
      return absl::StrCat(r.key, "!=", values);
    case Operator::kIn:
      return absl::StrCat(r.key, " in (", values, ")");
    case Operator::kNotIn:
      return absl::StrCat(r.key, " notin (", values, ")");
    case Operator::kGreaterThan:
      return absl::StrCat(r.key, ">", values);
    case Operator::kLessThan:
      return absl::StrCat(r.key, "<", values);
    case Operator::kExists:
      return r.key;
    case Operator::kDoesNotExist:
      return absl::StrCat("!", r.key);
  }
  return r.key;
}

}  // namespace

LabelSelector LabelSelector::Nothing() {
  LabelSelector selector;
  selector.nothing_ = true;
  return selector;
}

absl::StatusOr<LabelSelector> LabelSelector::Parse(absl::string_view text) {
  LabelSelector selector;
  Parser parser(text);
  if (!parser.Parse(&selector.requirements_)) {
    const ParseError& error = parser.error();
    return absl::InvalidArgumentError(absl::StrCat(error.message, PositionSuffix(error.pos, text)));
  }
  SortByKey(&selector.requirements_);
  return selector;
}

absl::StatusOr<LabelSelector> LabelSelector::FromSpec(const LabelSelectorSpec& spec, absl::string_view path) {
  // Validation as metav1 ValidateLabelSelector does it, every error reported at once.
  std::vector<std::string> errs = ValidateLabels(spec.matchLabels, absl::StrCat(path, ".matchLabels"));
  LabelSelector selector;
  for (const auto& [key, value] : spec.matchLabels) {
    selector.requirements_.push_back({key, Operator::kEquals, {value}});
  }
  for (size_t i = 0; i < spec.matchExpressions.size(); ++i) {
    const LabelSelectorRequirement& expr = spec.matchExpressions[i];
    std::string expr_path = absl::StrCat(path, ".matchExpressions[", i, "]");
    std::optional<Operator> op;
    if (expr.operator_ == "In" || expr.operator_ == "NotIn") {
      op = expr.operator_ == "In" ? Operator::kIn : Operator::kNotIn;
      if (expr.values.empty()) {
        errs.push_back(FieldRequired(absl::StrCat(expr_path, ".values"),
                                     "must be specified when `operator` is 'In' or 'NotIn'"));
      }
    } else if (expr.operator_ == "Exists" || expr.operator_ == "DoesNotExist") {
      op = expr.operator_ == "Exists" ? Operator::kExists : Operator::kDoesNotExist;
      if (!expr.values.empty()) {
        errs.push_back(FieldForbidden(absl::StrCat(expr_path, ".values"),
                                      "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      }
    } else {
      errs.push_back(FieldNotSupported(absl::StrCat(expr_path, ".operator"), expr.operator_,
                                       {"In", "NotIn", "Exists", "DoesNotExist"}));
    }
    for (const std::string& msg : IsQualifiedName(expr.key)) {
      errs.push_back(FieldInvalid(absl::StrCat(expr_path, ".key"), expr.key, msg));
    }
    for (size_t v = 0; v < expr.values.size(); ++v) {
      for (const std::string& msg : IsValidLabelValue(expr.values[v])) {
        errs.push_back(FieldInvalid(absl::StrCat(expr_path, ".values[", v, "]"), expr.values[v], msg));
      }
    }
    if (op.has_value()) {
      std::set<std::string> values(expr.values.begin(), expr.values.end());
      selector.requirements_.push_back({expr.key, *op, {values.begin(), values.end()}});
    }
  }
  if (!errs.empty()) return absl::InvalidArgumentError(AggregateErrors(errs));
  SortByKey(&selector.requirements_);
  return selector;
}

LabelSelector LabelSelector::FromLabels(const Labels& labels) {
  LabelSelector selector;
  for (const auto& [key, value] : labels) {
    selector.requirements_.push_back({key, Operator::kEquals, {value}});
  }
  return selector;
}

bool LabelSelector::Matches(const Labels& labels) const {
  if (nothing_) return false;
  for (const Requirement& r : requirements_) {
    if (!RequirementMatches(r, labels)) return false;
  }
  return true;
}

std::string LabelSelector::ToString() const {
  std::vector<std::string> parts;
  parts.reserve(requirements_.size());
  for (const Requirement& r : requirements_) parts.push_back(RequirementToString(r));
  return absl::StrJoin(parts, ",");
}

}  // namespace orch

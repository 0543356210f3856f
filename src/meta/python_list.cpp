#include "meta/python_list.hpp"

#include <cstdio>

#include "core/error.hpp"

namespace chorus::meta {
namespace {

void appendUtf8(std::string& out, unsigned long cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class Parser {
 public:
  explicit Parser(const std::string& text) : s_(text) {}

  std::vector<std::string> list() {
    std::vector<std::string> items;
    skipSpace();
    if (i_ == s_.size()) return items;  // blank field: no secondary labels
    expect('[');
    skipSpace();
    while (peek() != ']') {
      items.push_back(item());
      skipSpace();
      if (peek() == ',') {
        ++i_;
        skipSpace();
      } else if (peek() != ']') {
        fail("expected ',' or ']'");
      }
    }
    ++i_;
    skipSpace();
    if (i_ != s_.size()) fail("text after the closing ']'");
    return items;
  }

 private:
  char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  void skipSpace() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  [[noreturn]] void fail(const std::string& why) const {
    throw InputError("bad list literal " + quoteForMessage() + ": " + why + " at character " + std::to_string(i_ + 1));
  }
  std::string quoteForMessage() const { return "\"" + (s_.size() > 80 ? s_.substr(0, 77) + "..." : s_) + "\""; }
  void expect(char c) {
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++i_;
  }

  std::string item() {
    char c = peek();
    if (c == '\'' || c == '"') {
      std::string s = quoted(c);
      // Adjacent literals concatenate, as in Python: ['a' 'b'] is ['ab'].
      for (skipSpace(); peek() == '\'' || peek() == '"'; skipSpace()) s += quoted(peek());
      return s;
    }
    if (c == '-' || c == '+' || (c >= '0' && c <= '9')) return integer();
    fail(i_ == s_.size() ? "unclosed '['" : "expected a quoted string");
  }

  std::string integer() {
    std::size_t start = i_;
    if (peek() == '-' || peek() == '+') ++i_;
    while (peek() >= '0' && peek() <= '9') ++i_;
    if (i_ == start + 1 && (s_[start] == '-' || s_[start] == '+')) fail("expected digits");
    return s_.substr(s_[start] == '+' ? start + 1 : start, i_ - start - (s_[start] == '+'));
  }

  std::string quoted(char quote) {
    ++i_;
    std::string out;
    while (true) {
      if (i_ >= s_.size()) fail("unclosed string");
      char c = s_[i_++];
      if (c == quote) return out;
      if (c == '\n') fail("newline inside a string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ >= s_.size()) fail("unclosed string");
      char e = s_[i_++];
      switch (e) {
        case '\\': out += '\\'; break;
        case '\'': out += '\''; break;
        case '"': out += '"'; break;
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'a': out += '\a'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'v': out += '\v'; break;
        case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7':
          appendUtf8(out, octal(e));
          break;
        case 'N': fail("\\N{...} escapes are not supported");
        case '\n': break;  // an escaped newline continues the string
        case 'x': appendUtf8(out, hex(2)); break;
        case 'u': appendUtf8(out, hex(4)); break;
        case 'U': {
          unsigned long cp = hex(8);
          if (cp > 0x10FFFF) fail("code point out of range");
          appendUtf8(out, cp);
          break;
        }
        default: out += '\\'; out += e;  // Python keeps an unknown escape as written
      }
    }
  }

  // Up to three octal digits, the first already read.
  unsigned long octal(char first) {
    unsigned long v = static_cast<unsigned long>(first - '0');
    for (int d = 1; d < 3 && peek() >= '0' && peek() <= '7'; ++d, ++i_) v = v * 8 + static_cast<unsigned long>(peek() - '0');
    return v;
  }

  unsigned long hex(int digits) {
    unsigned long v = 0;
    for (int d = 0; d < digits; ++d, ++i_) {
      char c = peek();
      int x = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (x < 0) fail("bad hex escape");
      v = v * 16 + static_cast<unsigned long>(x);
    }
    return v;
  }

  const std::string& s_;
  std::size_t i_ = 0;
};

// Python's str.__repr__ for the characters our labels can hold.
std::string pythonRepr(const std::string& s) {
  const char quote = (s.find('\'') != std::string::npos && s.find('"') == std::string::npos) ? '"' : '\'';
  std::string out(1, quote);
  for (unsigned char c : s) {
    if (c == quote || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7F) {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);  // printable ASCII and UTF-8 bytes pass through, as in Python 3
    }
  }
  return out + quote;
}

}  // namespace

std::vector<std::string> parsePythonStringList(const std::string& text) { return Parser(text).list(); }

std::string formatPythonStringList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    out += pythonRepr(items[i]);
  }
  return out + "]";
}

}  // namespace chorus::meta

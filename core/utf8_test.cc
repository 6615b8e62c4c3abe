#include "vouch/core/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace vouch {
namespace {

TEST(Utf8Test, AcceptsWellFormedText) {
  for (const std::string& s : {std::string(), std::string("ascii"), std::string("\xc3\xb6"),
                               std::string("\xe2\x82\xac"), std::string("\xf0\x9f\x98\x80"),
                               std::string("\xf4\x8f\xbf\xbf")}) {
    EXPECT_TRUE(IsValidUtf8(s)) << s;
  }
}

// RFC 3629 §3 and the Unicode standard's "ill-formed" examples.
TEST(Utf8Test, RefusesIllFormedText) {
  for (const std::string& s : {std::string("\xff"), std::string("\x80"), std::string("\xc3"),
                               std::string("\xc0\xaf"),           // overlong '/'
                               std::string("\xe0\x80\xaf"),       // overlong
                               std::string("\xed\xa0\x80"),       // a surrogate
                               std::string("\xf4\x90\x80\x80"),   // above U+10FFFF
                               std::string("\xe2\x82"), std::string("a\xf0\x9f\x98")}) {
    EXPECT_FALSE(IsValidUtf8(s)) << s.size();
  }
}

}  // namespace
}  // namespace vouch

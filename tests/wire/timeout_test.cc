#include "wire/timeout.h"

#include <gtest/gtest.h>

#include <random>

namespace pronto::wire {
namespace {

using namespace std::chrono_literals;
using std::chrono::nanoseconds;

// "1*8DIGIT unit", checked by hand (std::regex trips -Wmaybe-uninitialized under sanitizers).
bool matches_grammar(std::string_view s) {
  if (s.size() < 2 || s.size() > 9) return false;
  for (char c : s.substr(0, s.size() - 1)) {
    if (c < '0' || c > '9') return false;
  }
  return std::string_view("HMSmun").find(s.back()) != std::string_view::npos;
}

nanoseconds parse_ok(std::string_view s) {
  auto r = parse_timeout(s);
  EXPECT_TRUE(r.has_value()) << s << ": " << r.status().to_string();
  return r.has_value() ? *r : nanoseconds(-1);
}

TEST(Timeout, parses_every_unit) {
  EXPECT_EQ(parse_ok("1H"), 1h);
  EXPECT_EQ(parse_ok("1M"), 1min);
  EXPECT_EQ(parse_ok("1S"), 1s);
  EXPECT_EQ(parse_ok("1m"), 1ms);
  EXPECT_EQ(parse_ok("1u"), 1us);
  EXPECT_EQ(parse_ok("1n"), 1ns);
  EXPECT_EQ(parse_ok("25H"), 25h);
  EXPECT_EQ(parse_ok("90M"), 90min);
  EXPECT_EQ(parse_ok("30S"), 30s);
  EXPECT_EQ(parse_ok("1500m"), 1500ms);
  EXPECT_EQ(parse_ok("777u"), 777us);
  EXPECT_EQ(parse_ok("123n"), 123ns);
}

TEST(Timeout, accepts_eight_digits) {
  EXPECT_EQ(parse_ok("99999999n"), 99999999ns);
  EXPECT_EQ(parse_ok("99999999S"), 99999999s);
  EXPECT_EQ(parse_ok("12345678m"), 12345678ms);
}

TEST(Timeout, accepts_leading_zeros_within_eight_digits) {
  EXPECT_EQ(parse_ok("00000001S"), 1s);
  EXPECT_EQ(parse_ok("010m"), 10ms);
}

TEST(Timeout, zero_parses_as_already_expired) { EXPECT_EQ(parse_ok("0S"), 0ns); }

TEST(Timeout, rejects_nine_digits) {
  EXPECT_EQ(parse_timeout("100000000S").status().code(), StatusCode::internal);
  EXPECT_EQ(parse_timeout("000000001S").status().code(), StatusCode::internal);
}

TEST(Timeout, rejects_malformed_values_as_internal) {
  for (std::string_view bad :
       {"",    "S",   "1",   "12345678", "1x",   "1s",   "1h",  "1N", "1U",   "-1S",       "+1S",
        " 1S", "1S ", "1 S", "1.5S",     "1e3n", "0x1S", "1SS", "S1", "1\0S", "\xd9\xa1S", "1Sn"}) {
    auto r = parse_timeout(bad);
    EXPECT_FALSE(r.has_value()) << "'" << bad << "'";
    EXPECT_EQ(r.status().code(), StatusCode::internal) << "'" << bad << "'";
  }
  // Embedded NUL must not terminate parsing early.
  EXPECT_FALSE(parse_timeout(std::string_view("1\0S", 3)).has_value());
  EXPECT_FALSE(parse_timeout(std::string_view("1S\0", 3)).has_value());
}

TEST(Timeout, huge_hours_saturate) {
  EXPECT_EQ(parse_ok("99999999H"), nanoseconds::max());
  EXPECT_EQ(parse_ok("99999999M"), 99999999min);  // ~5.99e18 ns still fits
  EXPECT_EQ(parse_ok("2562047H"), 2562047h);      // largest whole hour count that fits
  EXPECT_EQ(parse_ok("2562048H"), nanoseconds::max());
}

TEST(Timeout, formats_non_positive_as_one_nano) {
  EXPECT_EQ(format_timeout(0ns), "1n");
  EXPECT_EQ(format_timeout(-1ns), "1n");
  EXPECT_EQ(format_timeout(-5s), "1n");
  EXPECT_EQ(format_timeout(nanoseconds::min()), "1n");
}

TEST(Timeout, formats_in_finest_unit_that_fits) {
  EXPECT_EQ(format_timeout(1ns), "1n");
  EXPECT_EQ(format_timeout(99999999ns), "99999999n");
  EXPECT_EQ(format_timeout(100000000ns), "100000u");
  EXPECT_EQ(format_timeout(1s), "1000000u");
  EXPECT_EQ(format_timeout(99999999us), "99999999u");
  EXPECT_EQ(format_timeout(100s), "100000m");
  EXPECT_EQ(format_timeout(99999999ms), "99999999m");
  EXPECT_EQ(format_timeout(100000000ms), "100000S");
  EXPECT_EQ(format_timeout(99999999s), "99999999S");
  EXPECT_EQ(format_timeout(100000000s), "1666667M");
  EXPECT_EQ(format_timeout(99999999min), "99999999M");
  EXPECT_EQ(format_timeout(100000000min), "1666667H");
}

TEST(Timeout, format_rounds_up_never_down) {
  EXPECT_EQ(format_timeout(100000001ns), "100001u");
  EXPECT_EQ(format_timeout(100000999ns), "100001u");
  EXPECT_EQ(format_timeout(100001000ns), "100001u");
  EXPECT_EQ(format_timeout(100000000001ns), "100001m");
  EXPECT_EQ(format_timeout(100000000s + 1ns), "1666667M");
  EXPECT_EQ(format_timeout(6000000000s), "1666667H");  // 1e8 minutes needs 9 digits in M
}

TEST(Timeout, max_duration_formats_in_hours) {
  // 9223372036854775807 ns = 2562047.79 h, rounded up.
  EXPECT_EQ(format_timeout(nanoseconds::max()), "2562048H");
  EXPECT_EQ(parse_ok(format_timeout(nanoseconds::max())), nanoseconds::max());
}

TEST(Timeout, exact_values_round_trip) {
  for (nanoseconds d : {nanoseconds(1ns), nanoseconds(42ms), nanoseconds(5s), nanoseconds(3min),
                        nanoseconds(7h), nanoseconds(99999999ns), nanoseconds(12345678us)}) {
    EXPECT_EQ(parse_ok(format_timeout(d)), d) << d.count();
  }
}

TEST(Timeout, parse_of_format_is_never_shorter) {
  std::mt19937_64 rng(42);
  std::vector<std::int64_t> values;
  for (std::int64_t p = 1; p > 0 && p <= INT64_MAX / 10; p *= 10) {
    for (std::int64_t delta : {-1, 0, 1}) values.push_back(p * 10 + delta);
  }
  for (int i = 0; i < 20000; ++i) {
    const int bits = static_cast<int>(rng() % 63);
    values.push_back(static_cast<std::int64_t>(rng() >> (64 - bits - 1)) & INT64_MAX);
  }
  values.push_back(INT64_MAX);
  values.push_back(INT64_MAX - 1);
  for (std::int64_t v : values) {
    if (v <= 0) continue;
    const nanoseconds d(v);
    const std::string s = format_timeout(d);
    ASSERT_TRUE(matches_grammar(s)) << s;
    const nanoseconds back = parse_ok(s);
    ASSERT_GE(back, d) << v << " -> " << s;
    // And never longer than one unit of the chosen resolution.
    auto r = parse_timeout("1" + std::string(1, s.back()));
    ASSERT_TRUE(r.has_value());
    ASSERT_LT((back - d).count(), r->count()) << v << " -> " << s;
  }
}

}  // namespace
}  // namespace pronto::wire

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "core/bus/backoff.hpp"

namespace kamgw::bus {
namespace {

using std::chrono::milliseconds;

TEST(BusBackoff, CeilingDoublesFromBaseUntilTheCap) {
    Backoff b(milliseconds(100), milliseconds(1000), 1);
    std::vector<long> ceilings;
    for (int i = 0; i < 7; ++i) {
        ceilings.push_back(b.ceiling().count());
        (void)b.next();
    }
    EXPECT_EQ(ceilings, (std::vector<long>{100, 200, 400, 800, 1000, 1000, 1000}));
}

TEST(BusBackoff, EveryWaitLiesBetweenZeroAndItsCeiling) {
    Backoff b(milliseconds(50), milliseconds(3000), 42);
    for (int i = 0; i < 200; ++i) {
        const auto ceiling = b.ceiling();
        const auto wait = b.next();
        ASSERT_GE(wait.count(), 0);
        ASSERT_LE(wait.count(), ceiling.count()) << "attempt " << i;
    }
}

TEST(BusBackoff, SameSeedGivesTheSameWaitsAndAnotherSeedDiffers) {
    Backoff a(milliseconds(100), milliseconds(60000), 7), b(milliseconds(100), milliseconds(60000), 7),
        c(milliseconds(100), milliseconds(60000), 8);
    std::vector<long> wa, wb, wc;
    for (int i = 0; i < 12; ++i) {
        wa.push_back(a.next().count());
        wb.push_back(b.next().count());
        wc.push_back(c.next().count());
    }
    EXPECT_EQ(wa, wb);
    EXPECT_NE(wa, wc);
}

TEST(BusBackoff, WaitsAreSpreadOverTheWholeRange) {
    // Full jitter: with the ceiling at the cap, the waits fill [0, cap] rather than clustering
    // at the top, so their mean is near cap/2 and both low and high values occur.
    Backoff b(milliseconds(1000), milliseconds(1000), 12345);
    double sum = 0;
    long low = 1000, high = 0;
    constexpr int n = 4000;
    for (int i = 0; i < n; ++i) {
        const long w = b.next().count();
        sum += static_cast<double>(w);
        low = std::min(low, w);
        high = std::max(high, w);
    }
    EXPECT_NEAR(sum / n, 500.0, 30.0);
    EXPECT_LT(low, 50);
    EXPECT_GT(high, 950);
}

TEST(BusBackoff, ResetStartsOverAfterASuccess) {
    Backoff b(milliseconds(10), milliseconds(10000), 3);
    for (int i = 0; i < 5; ++i) (void)b.next();
    EXPECT_EQ(b.attempt(), 5u);
    EXPECT_EQ(b.ceiling(), milliseconds(320));
    b.reset();
    EXPECT_EQ(b.attempt(), 0u);
    EXPECT_EQ(b.ceiling(), milliseconds(10));
}

TEST(BusBackoff, ManyAttemptsStayAtTheCapWithoutOverflow) {
    Backoff b(milliseconds(1000), milliseconds(300000), 9);
    for (int i = 0; i < 500; ++i) ASSERT_LE(b.next().count(), 300000);
    EXPECT_EQ(b.ceiling(), milliseconds(300000));
}

TEST(BusBackoff, CapBelowBaseIsRaisedToTheBase) {
    Backoff b(milliseconds(500), milliseconds(100), 1);
    EXPECT_EQ(b.ceiling(), milliseconds(500));
    (void)b.next();
    EXPECT_EQ(b.ceiling(), milliseconds(500));
}

}  // namespace
}  // namespace kamgw::bus

// MeterSession against the simulated meter, fault by fault. Short timeouts keep it fast.
#include <gtest/gtest.h>

#include "core/kmp/commands.hpp"
#include "core/meter/meter_session.hpp"
#include "tests/unit/meter/test_helpers.hpp"

namespace kamgw::meter {
namespace {

using namespace std::chrono_literals;
using test::run_sync;

SessionTuning quick() { return SessionTuning{std::chrono::milliseconds(40)}; }

std::size_t count_register_requests(const test::LinkControl& c, std::vector<std::size_t>* sizes = nullptr) {
    std::size_t n = 0;
    for (const auto& w : c.writes) {
        const auto parsed = kmp::parse_frame(w);
        if (!parsed || parsed->frame.cid != kmp::cid_get_register) continue;
        ++n;
        if (sizes) sizes->push_back(kmp::parse_get_register_request(parsed->frame)->size());
    }
    return n;
}

const MissingRegister* find_missing(const ReadingBatch& b, std::uint16_t id) {
    for (const auto& m : b.missing)
        if (m.register_id == id) return &m;
    return nullptr;
}

// Each new link goes to a meter that is silent while `*silent` is true (a broken bridge) and
// answers once it is false; links already open stay as they were.
TransportFactory silent_while(std::shared_ptr<bool> silent, std::shared_ptr<test::LinkControl> control) {
    return [silent, control](const TransportContext& ctx) -> std::unique_ptr<Transport> {
        auto opts = test::fast_sim(*silent ? kmp::parse_faults("silent") : kmp::Faults{});
        return std::make_unique<test::ControlledTransport>(std::make_unique<sim::SimTransport>(ctx.executor, opts),
                                                           control);
    };
}

struct SessionFixture : ::testing::Test {
    boost::asio::io_context io;
    test::SimLink link;

    ReadingBatch poll(MeterSession& s, std::initializer_list<std::uint16_t> ids) {
        return run_sync(io, s.poll(test::registers(ids)));
    }
};

TEST_F(SessionFixture, CleanReadIdentifiesAndReadsEverything) {
    link.options = test::fast_sim();
    MeterSession s(io.get_executor(), test::meter_config(), link.factory(), quick());
    const auto batch = poll(s, {60, 68, 1004});
    EXPECT_EQ(batch.readings.size(), 3u);
    EXPECT_TRUE(batch.missing.empty());
    EXPECT_EQ(batch.meter.serial, "12345678");
    EXPECT_EQ(batch.meter.name, "house");
    EXPECT_EQ(batch.meter.model, "MULTICAL 403 (simulated)");
    EXPECT_EQ(batch.meter.meter_type, kmp::sim_type_multical403);
    EXPECT_EQ(batch.requested, (std::vector<std::uint16_t>{60, 68, 1004}));
    const Reading* energy = batch.find("heat_energy");
    ASSERT_NE(energy, nullptr);
    EXPECT_EQ(energy->unit, Unit::MWh);
    EXPECT_EQ(energy->value.exponent, -3);
    EXPECT_EQ(energy->quality, Quality::ok);
    EXPECT_EQ(s.health(), MeterHealth::ok);
    EXPECT_EQ(s.counters().requests, 3u);  // serial, type, one GetRegister
    EXPECT_EQ(s.counters().responses, 3u);
    EXPECT_EQ(s.counters().timeouts, 0u);

    // The identity is kept for the connection: a second poll sends one request.
    const auto again = poll(s, {60});
    EXPECT_EQ(again.readings.size(), 1u);
    EXPECT_EQ(s.counters().requests, 4u);
}

TEST_F(SessionFixture, EchoIsSkipped) {
    link.options = test::fast_sim(kmp::parse_faults("echo"));
    MeterSession s(io.get_executor(), test::meter_config(), link.factory(), quick());
    const auto batch = poll(s, {60, 68});
    EXPECT_EQ(batch.readings.size(), 2u);
    EXPECT_EQ(s.counters().timeouts, 0u);
    EXPECT_EQ(s.counters().retries, 0u);
    EXPECT_EQ(s.health(), MeterHealth::ok);
}

TEST_F(SessionFixture, NoiseBeforeTheFrameIsIgnored) {
    link.options = test::fast_sim(kmp::parse_faults("noise,echo"));
    MeterSession s(io.get_executor(), test::meter_config(), link.factory(), quick());
    const auto batch = poll(s, {60, 68, 74});
    EXPECT_EQ(batch.readings.size(), 3u);
    EXPECT_EQ(s.counters().crc_errors + s.counters().bad_frames + s.counters().timeouts, 0u);
}

TEST_F(SessionFixture, SilenceTimesOutRetriesOnceAndReportsNoAnswer) {
    link.options = test::fast_sim(kmp::parse_faults("silent"));
    MeterSession s(io.get_executor(), test::meter_config(), link.factory(), quick());
    const auto started = std::chrono::steady_clock::now();
    const auto batch = poll(s, {60, 68});
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_TRUE(batch.readings.empty());
    ASSERT_EQ(batch.missing.size(), 2u);
    for (const auto& m : batch.missing) EXPECT_EQ(m.reason, MissingReason::no_answer);
    EXPECT_EQ(s.health(), MeterHealth::no_answer);
    EXPECT_NE(s.detail().find("IR head"), std::string::npos);
    // GetSerialNo sent, timed out, retried after the quiet time, timed out again; then the
    // session gives up rather than wasting the battery on register requests.
    EXPECT_EQ(link.control->writes.size(), 2u);
    EXPECT_EQ(s.counters().timeouts, 2u);
    EXPECT_EQ(s.counters().retries, 1u);
    EXPECT_EQ(s.counters().polls_failed, 1u);
    EXPECT_GE(took, 2 * 150ms + 40ms);
}

TEST_F(SessionFixture, ASingleLostAnswerIsRecoveredByTheRetry) {
    link.options = test::fast_sim(kmp::parse_faults("silent=1"));
    MeterSession s(io.get_executor(), test::meter_config(), link.factory(), quick());
    const auto batch = poll(s, {60, 68});
    EXPECT_EQ(batch.readings.size(), 2u);
    EXPECT_EQ(s.counters().timeouts, 1u);
    EXPECT_EQ(s.counters().retries, 1u);
    EXPECT_EQ(s.health(), MeterHealth::ok);
}

TEST_F(SessionFixture, BadCrcIsCountedRetriedOnceAndNeverUsed) {
    // One corrupt answer (to GetSerialNo): counted, retried, and the clean answer is used.
    link.options = test::fast_sim(kmp::parse_faults("corrupt=1"));
    MeterSession s(io.get_executor(), test::meter_config(), link.factory(), quick());
    const auto batch = poll(s, {60, 68});
    EXPECT_EQ(batch.readings.size(), 2u);
    EXPECT_EQ(batch.meter.serial, "12345678");
    EXPECT_EQ(s.counters().crc_errors, 1u);
    EXPECT_EQ(s.counters().retries, 1u);
    EXPECT_EQ(s.health(), MeterHealth::ok);
}

TEST_F(SessionFixture, AnswersThatAlwaysFailTheirCrcAreNeverUsed) {
    link.options = test::fast_sim(kmp::parse_faults("corrupt"));
    MeterSession s(io.get_executor(), test::meter_config(), link.factory(), quick());
    const auto bad = poll(s, {60, 68});
    EXPECT_TRUE(bad.readings.empty());
    ASSERT_EQ(bad.missing.size(), 2u);
    for (const auto& m : bad.missing) EXPECT_EQ(m.reason, MissingReason::bad_frame);
    // GetSerialNo twice; without a serial no register is asked for.
    EXPECT_EQ(s.counters().crc_errors, 2u);
    EXPECT_EQ(count_register_requests(*link.control), 0u);
    EXPECT_EQ(s.counters().retries, 1u);
    EXPECT_FALSE(s.identified());
    EXPECT_EQ(bad.meter.serial, "");
    EXPECT_EQ(s.health(), MeterHealth::no_answer);
    EXPECT_NE(s.detail().find("CRC"), std::string::npos);
    EXPECT_NE(s.detail().find("not identified"), std::string::npos);
}

TEST_F(SessionFixture, IdentificationIsRetriedAndTheFirstReadingsCarryTheSerial) {
    link.options = test::fast_sim(kmp::parse_faults("corrupt=2"));
    MeterSession s(io.get_executor(), test::meter_config(), link.factory(), quick());
    EXPECT_TRUE(poll(s, {60}).readings.empty());
    EXPECT_FALSE(s.identified());
    const auto good = poll(s, {60});
    EXPECT_TRUE(s.identified());
    ASSERT_EQ(good.readings.size(), 1u);
    EXPECT_EQ(good.meter.serial, "12345678");
    EXPECT_EQ(good.meter.model, "MULTICAL 403 (simulated)");
}

// Three requests in a row without a valid answer close the link; the next poll opens a new
// one, and the count starts again there.
TEST_F(SessionFixture, ASilentLinkIsClosedAfterThreeFailedRequests) {
    link.options = test::fast_sim(kmp::parse_faults("silent"));
    MeterSession s(io.get_executor(), test::meter_config(), link.factory(), quick());
    poll(s, {60});  // GetSerialNo and its retry
    EXPECT_FALSE(s.needs_reopen());
    EXPECT_EQ(link.control->writes.size(), 2u);
    poll(s, {60});  // the third request makes the limit: no retry, the link is closed
    EXPECT_EQ(link.control->writes.size(), 3u);
    EXPECT_TRUE(s.needs_reopen());
    EXPECT_NE(s.close_reason().find("3 requests in a row"), std::string::npos) << s.close_reason();
    EXPECT_EQ(s.health(), MeterHealth::no_answer);
    EXPECT_NE(s.detail().find("reopened"), std::string::npos) << s.detail();
    EXPECT_EQ(link.control->opens, 1);
    // The new link is on probation: its first request fails, so the retry goes over a third
    // link, and when that fails too the link is closed at once.
    poll(s, {60});
    EXPECT_EQ(link.control->opens, 3);
    EXPECT_EQ(link.control->writes.size(), 5u);
    EXPECT_EQ(s.counters().reconnects, 2u);
    EXPECT_TRUE(s.needs_reopen());
    EXPECT_NE(s.close_reason().find("no valid answer on the new links either (no answer; no answer)"),
              std::string::npos)
        << s.close_reason();
}

// A peer that heals while the session holds a link into the broken one is read again on the
// retry of the next request: the replacement link does not get the quiet time and two more
// requests to prove itself useless.
TEST_F(SessionFixture, AHealedPeerIsReadOnTheRetryOverANewLink) {
    auto silent = std::make_shared<bool>(true);
    MeterSession s(io.get_executor(), test::meter_config(), silent_while(silent, link.control), quick());
    poll(s, {60});
    poll(s, {60});
    ASSERT_TRUE(s.needs_reopen());
    poll(s, {60});  // opens a link into the still broken peer (and one more for the retry)
    ASSERT_TRUE(s.needs_reopen());
    poll(s, {60});  // the link that is now open goes into the broken peer too
    *silent = false;
    // The link held when the peer healed is broken; the next poll opens a healthy one.
    const auto batch = poll(s, {60});
    ASSERT_EQ(batch.readings.size(), 1u);
    EXPECT_EQ(batch.meter.serial, "12345678");
    EXPECT_EQ(s.health(), MeterHealth::ok);

    // An answered link leaves probation: three failed requests in a row again before a close.
    EXPECT_FALSE(s.needs_reopen());
}

// The probation ends with the first answer: a link that answered once gets the quiet time
// and the full budget again.
TEST_F(SessionFixture, ProbationEndsWithTheFirstAnswer) {
    auto silent = std::make_shared<bool>(true);
    auto control = link.control;
    MeterSession s(io.get_executor(), test::meter_config(), silent_while(silent, control), quick());
    poll(s, {60});
    poll(s, {60});
    ASSERT_TRUE(s.needs_reopen());
    *silent = false;
    ASSERT_EQ(poll(s, {60}).readings.size(), 1u);
    const int opens = control->opens;
    control->truncate_answers = 1;  // one cut-off answer: retried after quiet on the same link
    ASSERT_EQ(poll(s, {60}).readings.size(), 1u);
    EXPECT_EQ(control->opens, opens);
    EXPECT_FALSE(s.needs_reopen());
}

TEST_F(SessionFixture, GarbageClosesTheLinkToo) {
    link.options = test::fast_sim(kmp::parse_faults("not_kmp"));
    MeterSession s(io.get_executor(), test::meter_config(), link.factory(), quick());
    poll(s, {60});
    poll(s, {60});
    EXPECT_TRUE(s.needs_reopen());
    EXPECT_EQ(s.health(), MeterHealth::unsupported);
}

// A frame cut off on one connection must not be completed by bytes of the next one.
TEST_F(SessionFixture, AHalfReadFrameDoesNotSurviveAReopen) {
    link.options = test::fast_sim();
    link.control->truncate_answers = 3;  // the first three answers stop after a few bytes
    MeterSession s(io.get_executor(), test::meter_config(), link.factory(), quick());
    EXPECT_TRUE(poll(s, {60}).readings.empty());
    EXPECT_TRUE(poll(s, {60}).readings.empty());
    EXPECT_TRUE(s.needs_reopen());
    const auto batch = poll(s, {60, 68});
    EXPECT_EQ(batch.readings.size(), 2u);
    EXPECT_EQ(batch.meter.serial, "12345678");
    EXPECT_EQ(s.counters().crc_errors + s.counters().bad_frames, 0u);
}

TEST_F(SessionFixture, FailedOpensAreCountedAsReconnects) {
    link.options = test::fast_sim();
    link.control->fail_opens = 3;
    MeterSession s(io.get_executor(), test::meter_config(), link.factory(), quick());
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(poll(s, {60}).readings.empty());
    EXPECT_EQ(poll(s, {60}).readings.size(), 1u);
    EXPECT_EQ(link.control->opens, 4);
    EXPECT_EQ(s.counters().reconnects, 3u);
}

TEST_F(SessionFixture, TooManyOpenFilesIsNamedAsSuch) {
    link.options = test::fast_sim();
    link.control->fail_opens = 1;
    link.control->open_error = std::make_error_code(std::errc::too_many_files_open);
    MeterSession s(io.get_executor(), test::meter_config(), link.factory(), quick());
    poll(s, {60});
    EXPECT_EQ(s.health(), MeterHealth::link_down);
    EXPECT_NE(s.detail().find("too many open files"), std::string::npos) << s.detail();
    EXPECT_EQ(s.detail().find("cable"), std::string::npos) << s.detail();
}

TEST_F(SessionFixture, OmittedRegistersAreReportedOneByOne) {
    link.options = test::fast_sim(kmp::parse_faults("omit=63+80"));
    MeterSession s(io.get_executor(), test::meter_config(), link.factory(), quick());
    const auto batch = poll(s, {60, 63, 68, 80, 1004});
    EXPECT_EQ(batch.readings.size(), 3u);
    ASSERT_EQ(batch.missing.size(), 2u);
    ASSERT_NE(find_missing(batch, 63), nullptr);
    EXPECT_EQ(find_missing(batch, 63)->reason, MissingReason::not_supported);
    EXPECT_EQ(find_missing(batch, 63)->key, "cooling_energy");
    EXPECT_EQ(find_missing(batch, 80)->reason, MissingReason::not_supported);
    EXPECT_NE(batch.find("volume"), nullptr);
    EXPECT_NE(batch.find("hour_counter"), nullptr);
    EXPECT_EQ(s.health(), MeterHealth::ok);
}

TEST_F(SessionFixture, MoreThanEightRegistersAreSplitEightPlusRest) {
    link.options = test::fast_sim();
    MeterSession s(io.get_executor(), test::meter_config(), link.factory(), quick());
    const auto batch = poll(s, {60, 63, 266, 68, 74, 80, 86, 87, 89, 99, 113});
    EXPECT_EQ(batch.readings.size(), 11u);
    std::vector<std::size_t> sizes;
    EXPECT_EQ(count_register_requests(*link.control, &sizes), 2u);
    EXPECT_EQ(sizes, (std::vector<std::size_t>{8, 3}));
}

TEST_F(SessionFixture, AnUnknownRegisterNumberIsReadByNumber) {
    link.options = test::fast_sim();
    MeterSession s(io.get_executor(), test::meter_config(), link.factory(), quick());
    const auto batch = poll(s, {60, 4321});
    EXPECT_EQ(batch.readings.size(), 1u);
    ASSERT_NE(find_missing(batch, 4321), nullptr);
    EXPECT_EQ(find_missing(batch, 4321)->key, "r4321");
}

TEST_F(SessionFixture, IoErrorMidPollMarksLinkDownAndTheNextPollReconnects) {
    link.options = test::fast_sim();
    link.control->fail_write_at = 3;  // serial, type, first GetRegister ok; the second one fails
    MeterSession s(io.get_executor(), test::meter_config(), link.factory(), quick());
    const auto batch = poll(s, {60, 63, 266, 68, 74, 80, 86, 87, 89, 99});
    EXPECT_EQ(batch.readings.size(), 8u);
    ASSERT_EQ(batch.missing.size(), 2u);
    for (const auto& m : batch.missing) EXPECT_EQ(m.reason, MissingReason::link_down);
    EXPECT_EQ(s.health(), MeterHealth::link_down);
    EXPECT_TRUE(s.link_failed());

    const auto next = poll(s, {60});
    EXPECT_EQ(next.readings.size(), 1u);
    EXPECT_EQ(s.health(), MeterHealth::ok);
    EXPECT_EQ(s.counters().reconnects, 1u);
    EXPECT_EQ(link.control->opens, 2);
}

TEST_F(SessionFixture, OpenFailureIsLinkDown) {
    link.options = test::fast_sim();
    link.control->fail_opens = 1;
    MeterSession s(io.get_executor(), test::meter_config(), link.factory(), quick());
    const auto batch = poll(s, {60, 68});
    ASSERT_EQ(batch.missing.size(), 2u);
    EXPECT_EQ(batch.missing[0].reason, MissingReason::link_down);
    EXPECT_EQ(s.health(), MeterHealth::link_down);
    EXPECT_NE(s.detail().find("sim://multical403"), std::string::npos);
    EXPECT_EQ(poll(s, {60}).readings.size(), 1u);
}

TEST_F(SessionFixture, ADeviceThatIsNotKmpIsUnsupported) {
    link.options = test::fast_sim(kmp::parse_faults("not_kmp,echo"));
    MeterSession s(io.get_executor(), test::meter_config(), link.factory(), quick());
    const auto batch = poll(s, {60, 68});
    EXPECT_TRUE(batch.readings.empty());
    EXPECT_EQ(batch.missing.size(), 2u);
    EXPECT_EQ(s.health(), MeterHealth::unsupported);
    EXPECT_NE(s.detail().find("not in KMP"), std::string::npos);
}

TEST_F(SessionFixture, ConfiguredModelIsUsedWhenTheTypeIsUnknown) {
    link.options = test::fast_sim(kmp::parse_faults("silent"));
    auto cfg = test::meter_config();
    cfg.model = "MULTICAL 403";
    MeterSession s(io.get_executor(), cfg, link.factory(), quick());
    EXPECT_EQ(s.identity().model, "MULTICAL 403");
}

TEST_F(SessionFixture, ReadOnceReturnsStatusAndCloses) {
    link.options = test::fast_sim();
    MeterStatus status;
    const auto batch = run_sync(io, read_once(io.get_executor(), test::meter_config(), link.factory(),
                                              test::registers({60, 68}), &status, quick()));
    EXPECT_EQ(batch.readings.size(), 2u);
    EXPECT_TRUE(batch.on_demand);
    EXPECT_EQ(status.health, MeterHealth::ok);
    EXPECT_EQ(status.meter.serial, "12345678");
    EXPECT_EQ(status.counters.requests, 3u);
}

TEST_F(SessionFixture, PacedLineTakesWireTime) {
    link.options = test::fast_sim();
    link.options.pace = true;
    auto cfg = test::meter_config();
    cfg.timeout = 2s;
    MeterSession s(io.get_executor(), cfg, link.factory(), quick());
    const auto started = std::chrono::steady_clock::now();
    const auto batch = poll(s, {60});
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(batch.readings.size(), 1u);
    // Three requests (6+6+9 bytes) and three answers (>= 10+11+14 bytes) at 9.17 ms a byte.
    EXPECT_GE(took, kmp::wire_time(6 + 6 + 9 + 10 + 11 + 14));
}

}  // namespace
}  // namespace kamgw::meter

// Writing and logger commands: SetClock, PutRegister, event status (0x9B/0x9C) and the log
// commands 0xA0–0xA3, encoded and decoded (§3.4, §3.6, §3.7).
#include <gtest/gtest.h>

#include <cstring>

#include "core/kmp/commands.hpp"
#include "test_helpers.hpp"

namespace kamgw::kmp {
namespace {

using test::bytes;

Frame through_wire(const Frame& f) {
    const auto p = parse_frame(encode_frame(f));
    EXPECT_TRUE(p);
    EXPECT_EQ(p->error, FrameError::none);
    return p ? p->frame : Frame{};
}

TEST(KmpCommands, CidNames) {
    EXPECT_STREQ(cid_name(0x10), "GetRegister");
    EXPECT_STREQ(cid_name(0x01), "GetType");
    EXPECT_STREQ(cid_name(0x02), "GetSerialNo");
    EXPECT_STREQ(cid_name(0x09), "SetClock");
    EXPECT_STREQ(cid_name(0x11), "PutRegister");
    EXPECT_STREQ(cid_name(0x9B), "GetEventStatus");
    EXPECT_STREQ(cid_name(0xA3), "GetLogTimePast");
    EXPECT_STREQ(cid_name(0x55), "Unknown");
}

TEST(KmpCommands, SetClockEncodesDecimalDateAndTime) {
    // §3.4: 25 Aug 2004 -> 40825, 23:59:59 -> 235959.
    const auto f = make_set_clock(ClockSetting{2004, 8, 25, 23, 59, 59});
    ASSERT_TRUE(f);
    EXPECT_EQ(f->data, bytes("00 00 9F 79 00 03 99 B7"));
    const auto midnight = make_set_clock(ClockSetting{2000, 1, 1, 0, 0, 0});
    ASSERT_TRUE(midnight);
    EXPECT_EQ(midnight->data, bytes("00 00 00 65 00 00 00 00"));
    EXPECT_EQ(parse_set_clock(through_wire(*midnight))->year, 2000);
}

TEST(KmpCommands, SetClockRefusesInvalidDates) {
    EXPECT_FALSE(make_set_clock(ClockSetting{2023, 2, 29, 0, 0, 0}));
    EXPECT_TRUE(make_set_clock(ClockSetting{2024, 2, 29, 0, 0, 0}));
    EXPECT_FALSE(make_set_clock(ClockSetting{2024, 4, 31, 0, 0, 0}));
    EXPECT_FALSE(make_set_clock(ClockSetting{2024, 13, 1, 0, 0, 0}));
    EXPECT_FALSE(make_set_clock(ClockSetting{2024, 1, 1, 24, 0, 0}));
    EXPECT_FALSE(make_set_clock(ClockSetting{2024, 1, 1, 0, 60, 0}));
    EXPECT_FALSE(make_set_clock(ClockSetting{2100, 1, 1, 0, 0, 0}));
    EXPECT_FALSE(parse_set_clock(Frame{Direction::request, 0x3F, cid_set_clock, bytes("00 01 14 4A 00 02 77")}));
    EXPECT_FALSE(parse_set_clock(Frame{Direction::request, 0x3F, cid_set_clock, bytes("00 01 14 4A 00 09 27 C0")}));
}

TEST(KmpCommands, PutRegisterRoundTrip) {
    PutRegister put;
    put.password = 0x1234;
    put.value = RegisterValue{1002, 47, 4, 0, Decimal{101500, 0, false}};
    const auto f = make_put_register(put);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->address, address_logger_top);
    EXPECT_EQ(f->cid, cid_put_register);
    EXPECT_EQ(f->data, bytes("12 34 03 EA 2F 04 00 00 01 8C 7C"));
    const auto back = parse_put_register(through_wire(*f));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->password, 0x1234);
    EXPECT_EQ(back->value.id, 1002);
    EXPECT_EQ(back->value.unit_code, 47);
    EXPECT_EQ(back->value.nob, 4);
    EXPECT_EQ(back->value.value.to_string(), "101500");
    // Trailing bytes or a short value block are not a PutRegister.
    auto longer = *f;
    longer.data.push_back(0);
    EXPECT_FALSE(parse_put_register(longer));
    auto shorter = *f;
    shorter.data.pop_back();
    EXPECT_FALSE(parse_put_register(shorter));
}

TEST(KmpCommands, EventStatus) {
    const auto req = make_get_event_status();
    EXPECT_EQ(encode_frame(req).at(1), 0x7F);
    EXPECT_EQ(req.cid, 0x9B);
    EXPECT_TRUE(req.data.empty());

    const std::uint8_t masks[8] = {0, 0, 3, 0, 0, 0, 0, 0};
    const auto clear = make_clear_event_status(masks, address_logger_base);
    EXPECT_EQ(clear.address, 0xBF);
    const auto parsed_masks = parse_clear_event_status(through_wire(clear));
    ASSERT_TRUE(parsed_masks);
    EXPECT_EQ(std::memcmp(parsed_masks->data(), masks, 8), 0);

    const EventStatus status{{0x00, 0x10, 0x03, 0x80}};
    const auto resp = through_wire(make_event_status_response(status));
    EXPECT_EQ(resp.cid, 0x9B);
    const auto back = parse_event_status(resp);
    ASSERT_TRUE(back);
    EXPECT_EQ(std::memcmp(back->es, status.es, 4), 0);
    EXPECT_FALSE(parse_event_status(Frame{Direction::response, 0x7F, 0x9B, bytes("00 01 02")}));
}

TEST(KmpCommands, LogRequestTimeFieldsFollowTheVendorExamples) {
    LogRequest req;
    req.cid = cid_log_time_present;
    req.log_id = 1;
    req.registers = {60, 68};
    req.records = 4;
    req.max_length = 0x80;
    req.time = LogTime{7, 5, 17, 10, 30, 0};  // 2007-05-17 10:30:00
    const auto f = make_log_request(req);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->data, bytes("01 02 00 3C 00 44 04 80 07 05 11 0A 1E 00 00 00"));
    const auto back = parse_log_request(through_wire(*f));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->registers, req.registers);
    EXPECT_EQ(back->time.yy, 7);
    EXPECT_EQ(back->time.mi, 30);

    req.cid = cid_log_time_past;
    req.time = LogTime{91, 12, 31, 23, 59, 59};  // 2091-12-31 23:59:59
    req.record_id = 5;
    const auto past = make_log_request(req);
    ASSERT_TRUE(past);
    EXPECT_EQ(past->data, bytes("01 02 00 3C 00 44 04 80 5B 0C 1F 17 3B 3B 00 00 00 05"));
    EXPECT_EQ(parse_log_request(*past)->record_id, 5);
}

TEST(KmpCommands, LogRequestLayoutPerCommand) {
    LogRequest req;
    req.registers = {60};
    req.record_id = 0x0102;
    std::size_t expected_sizes[] = {4 + 2 + 8, 4 + 2, 4 + 2 + 2, 4 + 2 + 8 + 2};
    for (std::uint8_t cid = 0xA0; cid <= 0xA3; ++cid) {
        req.cid = cid;
        const auto f = make_log_request(req, address_logger_base);
        ASSERT_TRUE(f) << int(cid);
        EXPECT_EQ(f->data.size(), expected_sizes[cid - 0xA0]) << int(cid);
        const auto back = parse_log_request(through_wire(*f));
        ASSERT_TRUE(back) << int(cid);
        EXPECT_EQ(back->cid, cid);
        if (cid == 0xA2 || cid == 0xA3) {
            EXPECT_EQ(back->record_id, 0x0102);
        }
    }
    req.registers.clear();
    EXPECT_FALSE(make_log_request(req));
    req.registers.assign(9, 60);
    EXPECT_FALSE(make_log_request(req));
    req.registers = {60};
    req.cid = cid_get_register;
    EXPECT_FALSE(make_log_request(req));
}

LogResponse sample_log(std::size_t registers, std::size_t records) {
    LogResponse log;
    log.log_id = 1;
    log.last_read_record = 10;
    log.newest_record = 20;
    log.info = 0x10;
    for (std::size_t r = 0; r < records; ++r) {
        LogRecord rec;
        rec.record_id = static_cast<std::uint16_t>(100 + r);
        for (std::size_t i = 0; i < registers; ++i) {
            RegisterValue v;
            v.id = static_cast<std::uint16_t>(60 + i);
            v.unit_code = 8;
            v.nob = 4;
            v.siex = 0x42;
            v.value = Decimal{1000 * (r + 1) + i, -2, false};
            rec.values.push_back(v);
        }
        log.records.push_back(rec);
    }
    return log;
}

TEST(KmpCommands, LogResponseRoundTripAndSize) {
    for (std::size_t n = 1; n <= 8; ++n) {
        for (std::size_t m : {std::size_t{1}, std::size_t{2}, std::size_t{5}}) {
            const auto log = sample_log(n, m);
            const auto f = make_log_response(log, cid_log_id_present);
            ASSERT_TRUE(f);
            // §3.7: APL size = 3 + 2m + 5n + 4mn + 5 (CID included) with 4-byte values.
            EXPECT_EQ(1 + f->data.size(), 3 + 2 * m + 5 * n + 4 * m * n + 5) << n << "x" << m;
            const auto frame = through_wire(*f);
            for (const auto& back : {parse_log_response(frame, n), parse_log_response(frame)}) {
                ASSERT_TRUE(back) << n << "x" << m;
                EXPECT_EQ(back->log_id, 1);
                EXPECT_EQ(back->last_read_record, 10);
                EXPECT_EQ(back->newest_record, 20);
                EXPECT_EQ(back->info, 0x10);
                ASSERT_EQ(back->records.size(), m);
                for (std::size_t r = 0; r < m; ++r) {
                    EXPECT_EQ(back->records[r].record_id, 100 + r);
                    ASSERT_EQ(back->records[r].values.size(), n);
                    for (std::size_t i = 0; i < n; ++i) {
                        EXPECT_EQ(back->records[r].values[i].id, 60 + i);
                        EXPECT_TRUE(back->records[r].values[i].value.numerically_equal(log.records[r].values[i].value));
                    }
                }
            }
        }
    }
}

TEST(KmpCommands, EmptyLogAndMalformedLogs) {
    LogResponse empty;
    empty.info = 0x01;
    const auto f = make_log_response(empty, cid_log_time_present);
    ASSERT_TRUE(f);
    const auto back = parse_log_response(*f);
    ASSERT_TRUE(back);
    EXPECT_TRUE(back->records.empty());
    EXPECT_EQ(back->info, 1);

    auto good = *make_log_response(sample_log(2, 3));
    good.data.pop_back();
    EXPECT_FALSE(parse_log_response(good));
    EXPECT_FALSE(parse_log_response(good, 2));
    // Later records whose value no longer fits the first record's format cannot be encoded.
    auto odd = sample_log(1, 2);
    odd.records[1].values[0].value = Decimal{1, -3, false};
    EXPECT_FALSE(make_log_response(odd));
}

}  // namespace
}  // namespace kamgw::kmp

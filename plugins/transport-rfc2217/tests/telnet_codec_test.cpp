#include "plugins/transport-rfc2217/telnet_codec.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

namespace kamgw::rfc2217 {
namespace {

using Bytes = std::vector<std::uint8_t>;
using namespace telnet;

// What ser2net 4.3 sends right after accepting a telnet(rfc2217) connection.
const Bytes ser2net_greeting = {0xff, 0xfb, 0x03, 0xff, 0xfd, 0x03, 0xff, 0xfb, 0x01, 0xff, 0xfe,
                                0x01, 0xff, 0xfd, 0x00, 0xff, 0xfb, 0x00, 0xff, 0xfd, 0x2c};

Bytes feed_all(TelnetCodec& codec, const Bytes& in) {
    Bytes data;
    codec.feed(in, data);
    return data;
}

// Feeds `in` one byte at a time: every split point of a read is exercised.
Bytes feed_bytewise(TelnetCodec& codec, const Bytes& in) {
    Bytes data;
    for (std::uint8_t b : in) codec.feed(std::span<const std::uint8_t>(&b, 1), data);
    return data;
}

TEST(TelnetCodec, StartOffersBinarySgaAndComPort) {
    TelnetCodec codec;
    EXPECT_EQ(codec.start(),
              (Bytes{IAC, WILL, BINARY, IAC, DO, BINARY, IAC, WILL, SGA, IAC, DO, SGA, IAC, WILL, COM_PORT_OPTION}));
    EXPECT_FALSE(codec.com_port_accepted());
}

TEST(TelnetCodec, AnswersTheSer2netGreetingWithoutLoops) {
    TelnetCodec codec;
    (void)codec.start();
    EXPECT_TRUE(feed_all(codec, ser2net_greeting).empty());
    // Only WILL ECHO needs an answer (refused); every other line agrees with what we asked.
    EXPECT_EQ(codec.take_answers(), (Bytes{IAC, DONT, ECHO}));
    EXPECT_TRUE(codec.com_port_accepted());
    EXPECT_TRUE(codec.local_enabled(BINARY));
    EXPECT_TRUE(codec.remote_enabled(BINARY));
    EXPECT_TRUE(codec.local_enabled(SGA));
    EXPECT_TRUE(codec.remote_enabled(SGA));
    EXPECT_FALSE(codec.remote_enabled(ECHO));
    // Repeating the same agreement changes nothing and is not answered again.
    feed_all(codec, ser2net_greeting);
    EXPECT_EQ(codec.take_answers(), (Bytes{IAC, DONT, ECHO}));
}

TEST(TelnetCodec, RefusesOptionsItDoesNotSpeak) {
    TelnetCodec codec;
    (void)codec.start();
    feed_all(codec, {IAC, DO, 24 /* TERMINAL-TYPE */, IAC, WILL, 31 /* NAWS */, IAC, DO, ECHO});
    EXPECT_EQ(codec.take_answers(), (Bytes{IAC, WONT, 24, IAC, DONT, 31, IAC, WONT, ECHO}));
    EXPECT_FALSE(codec.local_enabled(24));
}

TEST(TelnetCodec, AgreesToOptionsTheServerOffersFirst) {
    TelnetCodec codec;  // no start(): the server speaks first
    feed_all(codec, {IAC, DO, BINARY, IAC, WILL, SGA, IAC, DO, COM_PORT_OPTION});
    EXPECT_EQ(codec.take_answers(), (Bytes{IAC, WILL, BINARY, IAC, DO, SGA, IAC, WILL, COM_PORT_OPTION}));
    EXPECT_TRUE(codec.com_port_accepted());
    // Switching an enabled option off is acknowledged once.
    feed_all(codec, {IAC, DONT, BINARY, IAC, DONT, BINARY, IAC, WONT, SGA});
    EXPECT_EQ(codec.take_answers(), (Bytes{IAC, WONT, BINARY, IAC, DONT, SGA}));
    EXPECT_FALSE(codec.local_enabled(BINARY));
    EXPECT_FALSE(codec.remote_enabled(SGA));
}

TEST(TelnetCodec, NoticesComPortRefusal) {
    TelnetCodec codec;
    (void)codec.start();
    feed_all(codec, {IAC, DONT, COM_PORT_OPTION});
    EXPECT_TRUE(codec.com_port_refused());
    EXPECT_FALSE(codec.com_port_accepted());
    EXPECT_TRUE(codec.take_answers().empty()) << "a refusal of our own request needs no answer";
}

TEST(TelnetCodec, UndoublesIacInData) {
    TelnetCodec codec;
    EXPECT_EQ(feed_all(codec, {0x01, IAC, IAC, 0x02, IAC, IAC, IAC, IAC, 0x0d}),
              (Bytes{0x01, 0xff, 0x02, 0xff, 0xff, 0x0d}));
}

TEST(TelnetCodec, UndoublesIacSplitAcrossReads) {
    TelnetCodec codec;
    EXPECT_EQ(feed_all(codec, {0x40, IAC}), (Bytes{0x40}));
    EXPECT_EQ(feed_all(codec, {IAC, 0x0d}), (Bytes{0xff, 0x0d}));
}

TEST(TelnetCodec, EscapesIacOnWrite) {
    EXPECT_EQ(TelnetCodec::escape(Bytes{0x80, 0xff, 0x3f, 0xff, 0xff, 0x0d}),
              (Bytes{0x80, 0xff, 0xff, 0x3f, 0xff, 0xff, 0xff, 0xff, 0x0d}));
    EXPECT_EQ(TelnetCodec::escape(Bytes{}), Bytes{});
}

TEST(TelnetCodec, EscapeThenFeedRoundTripsEveryByte) {
    Bytes all;
    for (int i = 0; i < 256; ++i) all.push_back(static_cast<std::uint8_t>(i));
    all.insert(all.end(), {0xff, 0xff, 0xff});
    TelnetCodec codec;
    EXPECT_EQ(feed_bytewise(codec, TelnetCodec::escape(all)), all);
    EXPECT_TRUE(codec.take_answers().empty());
}

TEST(TelnetCodec, RemovesCommandsAndSubnegotiationsFromData) {
    TelnetCodec codec;
    const Bytes in = {0x40, IAC,  241 /* NOP */, 0x3f, IAC, SB,  COM_PORT_OPTION, 107, 0x30, IAC, SE, 0x10, IAC, SB, 24,
                      0x00, 0x41, 0x42,          IAC,  SE,  0x0d};
    EXPECT_EQ(feed_all(codec, in), (Bytes{0x40, 0x3f, 0x10, 0x0d}));
    const auto events = codec.take_events();
    ASSERT_EQ(events.size(), 1u) << "only COM-PORT-OPTION subnegotiations become events";
    EXPECT_EQ(events[0].command, comport::NOTIFY_MODEMSTATE);
    EXPECT_EQ(events[0].number(), 0x30u);
}

TEST(TelnetCodec, ParsesSubnegotiationSplitAtEveryByte) {
    // SERVER-SET-BAUDRATE 2400, with a data byte before and after, arriving one byte per read.
    const Bytes in = {0x11, IAC, SB, COM_PORT_OPTION, 101, 0x00, 0x00, 0x09, 0x60, IAC, SE, 0x22};
    TelnetCodec codec;
    EXPECT_EQ(feed_bytewise(codec, in), (Bytes{0x11, 0x22}));
    const auto events = codec.take_events();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].command, comport::SET_BAUDRATE);
    EXPECT_EQ(events[0].number(), 2400u);
    EXPECT_TRUE(codec.take_events().empty());
}

TEST(TelnetCodec, UndoublesIacInsideSubnegotiation) {
    // A baud rate of 0x0000ff00 (65280) contains 0xFF, which the server must double.
    const Bytes in = {IAC, SB, COM_PORT_OPTION, 101, 0x00, 0x00, IAC, IAC, 0x00, IAC, SE};
    TelnetCodec codec;
    EXPECT_TRUE(feed_bytewise(codec, in).empty());
    const auto events = codec.take_events();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].value, (Bytes{0x00, 0x00, 0xff, 0x00}));
    EXPECT_EQ(events[0].number(), 0xff00u);
}

TEST(TelnetCodec, LineStateAndModemStateAreHarmless) {
    TelnetCodec codec;
    (void)codec.start();
    feed_all(codec, ser2net_greeting);
    (void)codec.take_answers();
    const Bytes in = {IAC, SB, COM_PORT_OPTION, 107, 0x00, IAC, SE, 0x40,
                      IAC, SB, COM_PORT_OPTION, 106, 0x10, IAC, SE, 0x0d};
    EXPECT_EQ(feed_all(codec, in), (Bytes{0x40, 0x0d}));
    EXPECT_TRUE(codec.take_answers().empty());
    EXPECT_TRUE(codec.com_port_accepted());
    EXPECT_EQ(codec.take_events().size(), 2u);
}

TEST(TelnetCodec, DropsOverlongSubnegotiation) {
    Bytes in = {IAC, SB, COM_PORT_OPTION, 107};
    in.insert(in.end(), 1000, 0x55);
    in.insert(in.end(), {IAC, SE, 0x42});
    TelnetCodec codec;
    EXPECT_EQ(feed_all(codec, in), (Bytes{0x42}));
    EXPECT_TRUE(codec.take_events().empty());
}

TEST(TelnetCodec, IgnoresClientCommandsSentByTheServer) {
    TelnetCodec codec;
    feed_all(codec, {IAC, SB, COM_PORT_OPTION, comport::SET_BAUDRATE, 0, 0, 4, 0xb0, IAC, SE});
    EXPECT_TRUE(codec.take_events().empty());
}

TEST(TelnetCodec, RecoversFromACommandInsideASubnegotiation) {
    TelnetCodec codec;
    (void)codec.start();
    EXPECT_EQ(feed_all(codec, {IAC, SB, COM_PORT_OPTION, 107, IAC, DO, COM_PORT_OPTION, 0x33}), (Bytes{0x33}));
    EXPECT_TRUE(codec.com_port_accepted());
    EXPECT_TRUE(codec.take_events().empty());
}

TEST(TelnetCodec, SetLineEncodesTheFourCommands) {
    EXPECT_EQ(TelnetCodec::set_line(LineSettings{1200, 8, 'N', 2}),
              (Bytes{IAC, SB, COM_PORT_OPTION, 1, 0x00, 0x00, 0x04, 0xb0, IAC, SE,  //
                     IAC, SB, COM_PORT_OPTION, 2, 8,    IAC,  SE,                   //
                     IAC, SB, COM_PORT_OPTION, 3, 1,    IAC,  SE,                   //
                     IAC, SB, COM_PORT_OPTION, 4, 2,    IAC,  SE}));
    const Bytes e71 = TelnetCodec::set_line(LineSettings{2400, 7, 'E', 1});
    EXPECT_THAT(e71, testing::ElementsAreArray(Bytes{IAC, SB, COM_PORT_OPTION, 1, 0x00, 0x00, 0x09, 0x60, IAC, SE,
                                                     IAC, SB, COM_PORT_OPTION, 2, 7,    IAC,  SE,  //
                                                     IAC, SB, COM_PORT_OPTION, 3, 3,    IAC,  SE,  //
                                                     IAC, SB, COM_PORT_OPTION, 4, 1,    IAC,  SE}));
}

TEST(TelnetCodec, ComPortCommandEscapesIacInValues) {
    EXPECT_EQ(TelnetCodec::com_port_command(comport::SET_BAUDRATE, Bytes{0x00, 0x00, 0xff, 0x00}),
              (Bytes{IAC, SB, COM_PORT_OPTION, 1, 0x00, 0x00, 0xff, 0xff, 0x00, IAC, SE}));
}

ComPortEvent event(std::uint8_t command, Bytes value) { return ComPortEvent{command, std::move(value)}; }

TEST(LineConfirmation, CompleteAfterTheFourEchoes) {
    LineConfirmation c(LineSettings{1200, 8, 'N', 2});
    EXPECT_EQ(c.missing(), "baud rate, data size, parity, stop size");
    EXPECT_FALSE(c.accept(event(comport::NOTIFY_MODEMSTATE, {0})));
    EXPECT_FALSE(c.accept(event(comport::SET_BAUDRATE, {0, 0, 4, 0xb0})));
    EXPECT_FALSE(c.accept(event(comport::SET_DATASIZE, {8})));
    EXPECT_FALSE(c.complete());
    EXPECT_EQ(c.missing(), "parity, stop size");
    EXPECT_FALSE(c.accept(event(comport::SET_PARITY, {1})));
    EXPECT_FALSE(c.accept(event(comport::SET_STOPSIZE, {2})));
    EXPECT_TRUE(c.complete());
    EXPECT_EQ(c.missing(), "");
}

TEST(LineConfirmation, ReportsAnotherValueThanAskedFor) {
    LineConfirmation c(LineSettings{2400, 7, 'E', 1});
    const auto error = c.accept(event(comport::SET_BAUDRATE, {0, 0, 0x25, 0x80}));
    ASSERT_TRUE(error);
    EXPECT_NE(error->find("9600 instead of 2400"), std::string::npos) << *error;
    EXPECT_TRUE(c.accept(event(comport::SET_PARITY, {1})));
    EXPECT_TRUE(c.accept(event(comport::SET_DATASIZE, {})));
}

}  // namespace
}  // namespace kamgw::rfc2217

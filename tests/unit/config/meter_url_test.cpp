#include <gtest/gtest.h>

#include "core/config/meter_url.hpp"

namespace kamgw::config {
namespace {

TEST(ConfigMeterUrl, DevicePathIsSerial) {
    auto ep = parse_endpoint("/dev/serial/by-id/usb-FTDI_FT230X-if00-port0");
    ASSERT_TRUE(ep);
    EXPECT_EQ(ep->scheme, "serial");
    EXPECT_EQ(ep->path, "/dev/serial/by-id/usb-FTDI_FT230X-if00-port0");
    EXPECT_TRUE(ep->host.empty());
    EXPECT_EQ(default_line_group(*ep), ep->path);

    auto explicit_serial = parse_endpoint("serial:///dev/ttyUSB0?exclusive=false");
    ASSERT_TRUE(explicit_serial);
    EXPECT_EQ(explicit_serial->scheme, "serial");
    EXPECT_EQ(explicit_serial->path, "/dev/ttyUSB0");
    EXPECT_EQ(explicit_serial->query.at("exclusive"), "false");
}

TEST(ConfigMeterUrl, NetworkUrlsHaveHostPortAndQuery) {
    auto ep = parse_endpoint("RFC2217://192.168.1.101:20019?connect_timeout=3s&label=a%20b");
    ASSERT_TRUE(ep);
    EXPECT_EQ(ep->scheme, "rfc2217");
    EXPECT_EQ(ep->host, "192.168.1.101");
    EXPECT_EQ(ep->port, "20019");
    EXPECT_EQ(ep->query.at("connect_timeout"), "3s");
    EXPECT_EQ(ep->query.at("label"), "a b");
    EXPECT_EQ(default_line_group(*ep), "192.168.1.101:20019");

    auto v6 = parse_endpoint("tcp://[::1]:2000");
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6->host, "::1");
    EXPECT_EQ(v6->port, "2000");

    auto sim = parse_endpoint("sim://multical403");
    ASSERT_TRUE(sim);
    EXPECT_EQ(sim->scheme, "sim");
    EXPECT_EQ(sim->host, "multical403");
    EXPECT_EQ(default_line_group(*sim), "sim://multical403");
    EXPECT_EQ(default_line_group(*parse_endpoint("sim://multical403?serial=2")), "sim://multical403?serial=2");

    auto flag = parse_endpoint("socket://h:1?echo");
    ASSERT_TRUE(flag);
    EXPECT_EQ(flag->query.at("echo"), "true");
}

TEST(ConfigMeterUrl, RejectsBrokenUrls) {
    std::string why;
    EXPECT_FALSE(parse_endpoint("", &why));
    EXPECT_FALSE(parse_endpoint("ttyUSB0", &why));
    EXPECT_NE(why.find("neither a device path"), std::string::npos) << why;
    EXPECT_FALSE(parse_endpoint("tcp://host:99999", &why));
    EXPECT_NE(why.find("99999"), std::string::npos) << why;
    EXPECT_FALSE(parse_endpoint("tcp://host:", &why));
    EXPECT_FALSE(parse_endpoint("tcp://:2000", &why));
    EXPECT_FALSE(parse_endpoint("tcp://h:1?a=%zz", &why));
    EXPECT_FALSE(parse_endpoint("tcp://h:1?a=1&a=2", &why));
    EXPECT_NE(why.find("twice"), std::string::npos) << why;
}

TEST(ConfigMeterUrl, RedactsCredentials) {
    EXPECT_EQ(redact_url("mqtt://user:s3cret@broker:1883/x?y=1"), "mqtt://broker:1883/x?y=1");
    EXPECT_EQ(redact_url("rfc2217://admin@host:2001"), "rfc2217://host:2001");
    EXPECT_EQ(redact_url("http://host:8086/write?u=a@b"), "http://host:8086/write?u=a@b");
    EXPECT_EQ(redact_url("/dev/ttyUSB0"), "/dev/ttyUSB0");
    EXPECT_EQ(redact_url("https://p%40ss:w@h"), "https://h");
}

TEST(ConfigMeterUrl, UserInfoIsNotPartOfTheHost) {
    auto ep = parse_endpoint("rfc2217://user:pw@host:2001");
    ASSERT_TRUE(ep);
    EXPECT_EQ(ep->host, "host");
    EXPECT_EQ(ep->port, "2001");
}

}  // namespace
}  // namespace kamgw::config

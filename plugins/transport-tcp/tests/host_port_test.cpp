#include "plugins/transport-tcp/host_port.hpp"

#include <gtest/gtest.h>

#include <system_error>

namespace kamgw::transport {
namespace {

std::string error_of(const Endpoint& ep) {
    try {
        (void)host_port_of(ep);
    } catch (const std::system_error& e) {
        EXPECT_EQ(e.code(), std::errc::invalid_argument);
        return e.what();
    }
    return "";
}

TEST(HostPort, ParsesTheReferenceIntegrationsSocketUrl) {
    const Endpoint ep = parse_network_url("socket://192.168.1.101:20019");
    EXPECT_EQ(ep.scheme, "socket");
    const HostPort hp = host_port_of(ep);
    EXPECT_EQ(hp.host, "192.168.1.101");
    EXPECT_EQ(hp.port, "20019");
    EXPECT_EQ(hp.to_string(), "192.168.1.101:20019");
}

TEST(HostPort, ParsesHostNamesTrailingSlashAndQuery) {
    const Endpoint ep = parse_network_url("rfc2217://ser2net.lan:2001/?connect_timeout=5s&ign_set_control");
    EXPECT_EQ(ep.scheme, "rfc2217");
    EXPECT_EQ(ep.host, "ser2net.lan");
    EXPECT_EQ(ep.port, "2001");
    EXPECT_EQ(ep.query.at("connect_timeout"), "5s");
    EXPECT_EQ(ep.query.at("ign_set_control"), "true");
}

TEST(HostPort, ParsesBracketedIpv6) {
    const HostPort hp = host_port_of(parse_network_url("tcp://[::1]:4001"));
    EXPECT_EQ(hp.host, "::1");
    EXPECT_EQ(hp.port, "4001");
    EXPECT_EQ(hp.to_string(), "[::1]:4001");
}

TEST(HostPort, UsesTheCoreParsedFieldsFirst) {
    Endpoint ep;
    ep.url = "tcp://ignored:1";
    ep.host = "10.0.0.7";
    ep.port = "7000";
    const HostPort hp = host_port_of(ep);
    EXPECT_EQ(hp.host, "10.0.0.7");
    EXPECT_EQ(hp.port, "7000");
}

TEST(HostPort, StripsBracketsTheCoreLeftOnIpv6Hosts) {
    Endpoint ep;
    ep.host = "[fe80::1]";
    ep.port = "23";
    EXPECT_EQ(host_port_of(ep).host, "fe80::1");
}

TEST(HostPort, FallsBackToTheUrlWhenOnlyItIsGiven) {
    Endpoint ep;
    ep.url = "socket://meter-bridge:8899";
    const HostPort hp = host_port_of(ep);
    EXPECT_EQ(hp.host, "meter-bridge");
    EXPECT_EQ(hp.port, "8899");
}

TEST(HostPort, MissingPortIsAnActionableError) {
    const std::string what = error_of(parse_network_url("socket://192.168.1.5"));
    EXPECT_NE(what.find("socket://192.168.1.5"), std::string::npos) << what;
    EXPECT_NE(what.find("has no port"), std::string::npos) << what;
    EXPECT_NE(what.find("scheme://HOST:PORT"), std::string::npos) << what;
}

TEST(HostPort, RejectsBadPorts) {
    EXPECT_NE(error_of(parse_network_url("tcp://h:0")).find("not a number from 1 to 65535"), std::string::npos);
    EXPECT_NE(error_of(parse_network_url("tcp://h:65536")).find("not a number"), std::string::npos);
    EXPECT_NE(error_of(parse_network_url("tcp://h:20x")).find("not a number"), std::string::npos);
    EXPECT_NE(error_of(parse_network_url("tcp://:2000")).find("has no host"), std::string::npos);
}

TEST(HostPort, RejectsUrlsWithoutScheme) {
    EXPECT_THROW(parse_network_url("192.168.1.1:2000"), std::system_error);
    EXPECT_THROW(parse_network_url("tcp://[::1:2000"), std::system_error);
}

}  // namespace
}  // namespace kamgw::transport

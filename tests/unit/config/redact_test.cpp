#include "core/config/redact.hpp"

#include <gtest/gtest.h>

namespace kamgw::config {
namespace {

TEST(Redact, UserinfoOfEveryUrlInATextGoes) {
    EXPECT_EQ(redact_text("cannot connect to http://admin:s3cr3t@db:8086/write (refused)"),
              "cannot connect to http://db:8086/write (refused)");
    EXPECT_EQ(redact_text("a 'mqtt://u:p@h:1883', b \"https://x:y@[::1]:443\", c tcp://h:1"),
              "a 'mqtt://h:1883', b \"https://[::1]:443\", c tcp://h:1");
    EXPECT_EQ(redact_text("user@example.org wrote http://host/a@b"), "user@example.org wrote http://host/a@b");
    EXPECT_EQ(redact_text("http://only-user@host"), "http://host");
}

TEST(Redact, RememberedSecretsAreMaskedWherever) {
    remember_secret("Zq8-remembered-pw");
    remember_secret("abc");  // too short to mask usefully
    EXPECT_EQ(redact_text("auth failed with Zq8-remembered-pw for abc"), "auth failed with *** for abc");
    EXPECT_EQ(redact_text("Zq8-remembered-pwZq8-remembered-pw"), "******");
}

TEST(Redact, UrlCredentialIsThePasswordOrTheUser) {
    EXPECT_EQ(url_credential("http://admin:pw123@host:1/x"), "pw123");
    EXPECT_EQ(url_credential("http://token-only@host"), "token-only");
    EXPECT_EQ(url_credential("http://host:1/a@b"), "");
    EXPECT_EQ(url_credential("/dev/ttyUSB0"), "");
}

}  // namespace
}  // namespace kamgw::config

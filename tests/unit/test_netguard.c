/* test_netguard.c: the SSRF address classifier on every refused range and its edges, with
 * addresses only (no packets are sent). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "netguard.h"
#include "testlib.h"

/* Classifies a textual address; "public" when it is allowed. */
static const char *why(const char *addr)
{
    const char *w = wn_netguard_text(addr);
    return w ? w : "public";
}

static void test_ipv4(void)
{
    CHECK_STR(why("0.0.0.0"), "this-network");
    CHECK_STR(why("0.255.255.255"), "this-network");
    CHECK_STR(why("1.0.0.0"), "public");
    CHECK_STR(why("10.0.0.1"), "private");
    CHECK_STR(why("10.255.255.255"), "private");
    CHECK_STR(why("11.0.0.0"), "public");
    CHECK_STR(why("100.63.255.255"), "public");
    CHECK_STR(why("100.64.0.0"), "cgnat");
    CHECK_STR(why("100.127.255.255"), "cgnat");
    CHECK_STR(why("100.128.0.0"), "public");
    CHECK_STR(why("127.0.0.1"), "loopback");
    CHECK_STR(why("127.0.0.2"), "loopback");
    CHECK_STR(why("127.255.255.255"), "loopback");
    CHECK_STR(why("169.254.0.1"), "link-local");
    CHECK_STR(why("169.254.169.254"), "metadata");
    CHECK_STR(why("169.255.0.0"), "public");
    CHECK_STR(why("172.15.255.255"), "public");
    CHECK_STR(why("172.16.0.0"), "private");
    CHECK_STR(why("172.31.255.255"), "private");
    CHECK_STR(why("172.32.0.0"), "public");
    CHECK_STR(why("192.0.0.8"), "ietf-protocol");
    CHECK_STR(why("192.0.2.1"), "documentation");
    CHECK_STR(why("192.88.99.1"), "6to4-relay");
    CHECK_STR(why("192.167.255.255"), "public");
    CHECK_STR(why("192.168.0.1"), "private");
    CHECK_STR(why("192.169.0.0"), "public");
    CHECK_STR(why("198.18.0.1"), "benchmarking");
    CHECK_STR(why("198.19.255.255"), "benchmarking");
    CHECK_STR(why("198.20.0.0"), "public");
    CHECK_STR(why("198.51.100.7"), "documentation");
    CHECK_STR(why("203.0.113.9"), "documentation");
    CHECK_STR(why("223.255.255.255"), "public");
    CHECK_STR(why("224.0.0.1"), "multicast");
    CHECK_STR(why("239.255.255.255"), "multicast");
    CHECK_STR(why("240.0.0.1"), "reserved");
    CHECK_STR(why("255.255.255.255"), "broadcast");
    CHECK_STR(why("8.8.8.8"), "public");
    CHECK_STR(why("93.184.216.34"), "public");
}

static void test_ipv6(void)
{
    CHECK_STR(why("::"), "unspecified");
    CHECK_STR(why("::1"), "loopback");
    CHECK_STR(why("::ffff:127.0.0.1"), "loopback");
    CHECK_STR(why("::ffff:169.254.169.254"), "metadata");
    CHECK_STR(why("::ffff:10.1.2.3"), "private");
    CHECK_STR(why("::ffff:8.8.8.8"), "public");
    CHECK_STR(why("64:ff9b::7f00:1"), "loopback");
    CHECK_STR(why("64:ff9b::a9fe:a9fe"), "metadata");
    CHECK_STR(why("64:ff9b::808:808"), "public");
    CHECK_STR(why("64:ff9b:1::1"), "nat64-local");
    CHECK_STR(why("::127.0.0.1"), "ipv4-compatible");
    CHECK_STR(why("100::1"), "discard");
    CHECK_STR(why("2001:db8::1"), "documentation");
    CHECK_STR(why("2001::1"), "teredo");
    CHECK_STR(why("2001:20::1"), "orchid");
    CHECK_STR(why("2002:7f00:1::1"), "loopback");
    CHECK_STR(why("2002:0808:0808::1"), "public");
    CHECK_STR(why("fc00::1"), "unique-local");
    CHECK_STR(why("fd00:ec2::254"), "unique-local");
    CHECK_STR(why("fe80::1"), "link-local");
    CHECK_STR(why("febf:ffff::1"), "link-local");
    CHECK_STR(why("fec0::1"), "site-local");
    CHECK_STR(why("ff02::1"), "multicast");
    CHECK_STR(why("4000::1"), "reserved");
    CHECK_STR(why("2606:4700::1111"), "public");
    CHECK_STR(why("2a00:1450:4001::1"), "public");
}

static void test_sockaddr(void)
{
    struct sockaddr_in s4;
    memset(&s4, 0, sizeof s4);
    s4.sin_family = AF_INET;
    /* 2130706433 is 127.0.0.1 written as one number: after DNS it is just loopback. */
    s4.sin_addr.s_addr = htonl(2130706433u);
    CHECK_STR(wn_netguard_sockaddr((struct sockaddr *)&s4, sizeof s4), "loopback");
    s4.sin_addr.s_addr = htonl(0x08080808u);
    CHECK(wn_netguard_sockaddr((struct sockaddr *)&s4, sizeof s4) == NULL);
    struct sockaddr_in6 s6;
    memset(&s6, 0, sizeof s6);
    s6.sin6_family = AF_INET6;
    inet_pton(AF_INET6, "::ffff:192.168.1.1", &s6.sin6_addr);
    CHECK_STR(wn_netguard_sockaddr((struct sockaddr *)&s6, sizeof s6), "private");
    struct sockaddr un = {.sa_family = AF_UNIX};
    CHECK_STR(wn_netguard_sockaddr(&un, sizeof un), "not-ip");
    CHECK_STR(why("localhost"), "not an address");
}

TEST_MAIN(test_ipv4, test_ipv6, test_sockaddr)

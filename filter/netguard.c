/* netguard.c: the address classifier behind the SSRF guard. It sees addresses after DNS (from
 * curl's open-socket callback), so rebinding and odd spellings such as 2130706433 are covered. */
#include "netguard.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

struct v4_range {
    uint32_t net;
    int bits;
    const char *why;
};

/* Most specific first: the metadata address sits inside link-local. */
static const struct v4_range v4_refused[] = {
    {0xA9FEA9FEu, 32, "metadata"},      /* 169.254.169.254, cloud instance metadata */
    {0xFFFFFFFFu, 32, "broadcast"},     /* 255.255.255.255 */
    {0x00000000u, 8, "this-network"},   /* 0.0.0.0/8, includes the unspecified 0.0.0.0 */
    {0x0A000000u, 8, "private"},        /* 10.0.0.0/8 */
    {0x64400000u, 10, "cgnat"},         /* 100.64.0.0/10, also Alibaba metadata */
    {0x7F000000u, 8, "loopback"},       /* 127.0.0.0/8 */
    {0xA9FE0000u, 16, "link-local"},    /* 169.254.0.0/16 */
    {0xAC100000u, 12, "private"},       /* 172.16.0.0/12 */
    {0xC0000000u, 24, "ietf-protocol"}, /* 192.0.0.0/24 */
    {0xC0000200u, 24, "documentation"}, /* 192.0.2.0/24 */
    {0xC0586300u, 24, "6to4-relay"},    /* 192.88.99.0/24 */
    {0xC0A80000u, 16, "private"},       /* 192.168.0.0/16 */
    {0xC6120000u, 15, "benchmarking"},  /* 198.18.0.0/15 */
    {0xC6336400u, 24, "documentation"}, /* 198.51.100.0/24 */
    {0xCB007100u, 24, "documentation"}, /* 203.0.113.0/24 */
    {0xE0000000u, 4, "multicast"},      /* 224.0.0.0/4 */
    {0xF0000000u, 4, "reserved"},       /* 240.0.0.0/4 */
};

const char *wn_netguard_ipv4(uint32_t a)
{
    for (size_t i = 0; i < sizeof v4_refused / sizeof v4_refused[0]; i++) {
        const struct v4_range *r = &v4_refused[i];
        uint32_t mask = r->bits == 0 ? 0 : 0xFFFFFFFFu << (32 - r->bits);
        if ((a & mask) == r->net) return r->why;
    }
    return NULL;
}

static uint32_t v4_at(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i]) return 0;
    return 1;
}

const char *wn_netguard_ipv6(const uint8_t a[16])
{
    static const uint8_t nat64[12] = {0x00, 0x64, 0xff, 0x9b};
    if (zero(a, 15) && a[15] == 0) return "unspecified";
    if (zero(a, 15) && a[15] == 1) return "loopback";
    /* Addresses that carry an IPv4 address reach that address: judge the embedded one. */
    if (zero(a, 10) && a[10] == 0xff && a[11] == 0xff) return wn_netguard_ipv4(v4_at(a + 12));
    if (memcmp(a, nat64, 12) == 0) return wn_netguard_ipv4(v4_at(a + 12));
    if (a[0] == 0x20 && a[1] == 0x02) return wn_netguard_ipv4(v4_at(a + 2)); /* 6to4 */
    if (zero(a, 12)) return "ipv4-compatible";                               /* ::/96 */
    if (a[0] == 0x00 && a[1] == 0x64 && a[2] == 0xff && a[3] == 0x9b && a[4] == 0 && a[5] == 1)
        return "nat64-local";                             /* 64:ff9b:1::/48 */
    if (a[0] == 0x01 && zero(a + 1, 7)) return "discard"; /* 100::/64 */
    if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8) return "documentation";
    if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0 && a[3] == 0) return "teredo"; /* 2001::/32 */
    if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0 && (a[3] & 0xf0) == 0x20)
        return "orchid";                                            /* 2001:20::/28 */
    if ((a[0] & 0xfe) == 0xfc) return "unique-local";               /* fc00::/7 */
    if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) return "link-local"; /* fe80::/10 */
    if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0) return "site-local"; /* fec0::/10 */
    if (a[0] == 0xff) return "multicast";                           /* ff00::/8 */
    /* Only global unicast (2000::/3) is public; the rest is unassigned. */
    if ((a[0] & 0xe0) != 0x20) return "reserved";
    return NULL;
}

const char *wn_netguard_sockaddr(const struct sockaddr *sa, size_t len)
{
    if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)(const void *)sa;
        return wn_netguard_ipv4(ntohl(s4->sin_addr.s_addr));
    }
    if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)(const void *)sa;
        return wn_netguard_ipv6(s6->sin6_addr.s6_addr);
    }
    return "not-ip";
}

const char *wn_netguard_text(const char *addr)
{
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, addr, &a4) == 1) return wn_netguard_ipv4(ntohl(a4.s_addr));
    if (inet_pton(AF_INET6, addr, &a6) == 1) return wn_netguard_ipv6(a6.s6_addr);
    return "not an address";
}

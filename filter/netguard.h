/* netguard.h: decides whether a resolved address is on the public internet, so that link
 * resolution (links written by strangers) cannot reach loopback, private or metadata hosts. */
#ifndef WN_NETGUARD_H
#define WN_NETGUARD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Returns NULL for a public address, or the name of the range that refuses it
 * ("loopback", "private", "link-local", "cgnat", "metadata", ...). */
const char *wn_netguard_ipv4(uint32_t addr_host_order);
const char *wn_netguard_ipv6(const uint8_t addr[16]);

/* The same for a socket address; families other than IPv4/IPv6 are refused. */
const char *wn_netguard_sockaddr(const struct sockaddr *sa, size_t len);

/* Parses a numeric IPv4/IPv6 address and classifies it; "not an address" when it is not one. */
const char *wn_netguard_text(const char *addr);

#endif

/* versions.c: `winnow --version`: winnow's version, a CRC-32 of the default rules built in
 * (of the rules files' bytes in name order, as gzip's trailer of their concatenation holds it),
 * and each library's version as it reports it at run time (compile-time only where the
 * library has no call for it, and said so). libcurl is loaded only to be asked, by the name
 * resolve.c loads it by. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <curl/curl.h>
#include <dlfcn.h>
#include <hiredis/hiredis.h>
#include <jansson.h>
#include <libxml/parser.h>
#include <pcre2.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <uriparser/Uri.h>
#include <zlib.h>
#include <zstd.h>
#ifdef WN_HAVE_HS
#include <hs.h>
#endif

#include "resolve.h"
#include "rules.h"
#include "versions.h"
#include "winnow.h"

/* libcurl as the resolver would load it: its version, or why it cannot be. */
static void curl_line(FILE *out)
{
    void *lib = dlopen(WN_LIBCURL, RTLD_LAZY | RTLD_LOCAL | RTLD_NOLOAD);
    const char *when = "loaded";
    if (!lib) {
        when = "not loaded: loaded when a link is first resolved";
        lib = dlopen(WN_LIBCURL, RTLD_LAZY | RTLD_LOCAL);
    }
    if (!lib) {
        const char *why = dlerror();
        fprintf(out, "  libcurl     not available (%s): --resolve cannot work\n",
                why ? why : WN_LIBCURL);
        return;
    }
    curl_version_info_data *(*info)(CURLversion);
    *(void **)&info = dlsym(lib, "curl_version_info");
    const curl_version_info_data *d = info ? info(CURLVERSION_NOW) : NULL;
    if (d)
        fprintf(out, "  libcurl     %s%s%s (%s, %s)\n", d->version, d->ssl_version ? " " : "",
                d->ssl_version ? d->ssl_version : "", WN_LIBCURL, when);
    else
        fprintf(out, "  libcurl     %s lacks curl_version_info\n", WN_LIBCURL);
    dlclose(lib);
}

void wn_print_versions(FILE *out)
{
    fprintf(out, "winnow %s (library %s)\n", WINNOW_VERSION, winnow_version());
    uLong crc = crc32(0L, Z_NULL, 0);
    size_t bytes = 0;
    for (size_t i = 0; i < wn_default_rule_file_count; i++) {
        const struct wn_embedded_file *f = &wn_default_rule_files[i];
        crc = crc32(crc, (const Bytef *)f->data, (uInt)f->len);
        bytes += f->len;
    }
    fprintf(out, "default rules: %zu files, %zu bytes, CRC-32 %08lx\n", wn_default_rule_file_count,
            bytes, (unsigned long)crc);
    fprintf(out, "libraries (the versions running):\n");
    char pcre[64] = "";
    pcre2_config(PCRE2_CONFIG_VERSION, pcre);
    fprintf(out, "  PCRE2       %s\n", pcre);
    int xml = atoi(xmlParserVersion);
    fprintf(out, "  libxml2     %d.%d.%d\n", xml / 10000, xml / 100 % 100, xml % 100);
    curl_line(out);
    fprintf(out, "  uriparser   %s (built with; it reports no version)\n", URI_VER_ANSI);
    fprintf(out, "  SQLite      %s\n", sqlite3_libversion());
    fprintf(out, "  hiredis     %d.%d.%d (built with; it reports no version)\n", HIREDIS_MAJOR,
            HIREDIS_MINOR, HIREDIS_PATCH);
    fprintf(out, "  jansson     %s\n", jansson_version_str());
    fprintf(out, "  zlib        %s\n", zlibVersion());
    fprintf(out, "  zstd        %s\n", ZSTD_versionString());
#ifdef WN_HAVE_HS
    fprintf(out, "  Vectorscan  %s\n", hs_version());
#else
    fprintf(out, "  Vectorscan  not built in (every line takes the per-line stages: slower)\n");
#endif
}

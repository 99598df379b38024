/* Tiny shared test harness: named cases, CHECKs that report and continue,
 * and the closing line "N passed, N failed". */
#ifndef TVC_TEST_HARNESS_H
#define TVC_TEST_HARNESS_H

#include <stdio.h>
#include <string.h>

void h_begin(const char *name);
void h_end(void);
void h_fail(const char *file, int line, const char *what);
int h_summary(void); /* prints "N passed, N failed"; returns exit status */
int h_failed_now(void);

/* Run one named case: RUN(fn) or CASE("name") { ... } CASE_END */
#define RUN(fn) do { h_begin(#fn); fn(); h_end(); } while (0)
#define CHECK(c) do { if (!(c)) h_fail(__FILE__, __LINE__, #c); } while (0)
#define CHECK_EQ(a, b) do { long long a_ = (long long)(a), b_ = (long long)(b); \
    if (a_ != b_) { char m_[256]; snprintf(m_, sizeof m_, "%s == %s (%lld != %lld)", #a, #b, a_, b_); \
    h_fail(__FILE__, __LINE__, m_); } } while (0)
#define CHECK_STR(a, b) do { const char *a_ = (a), *b_ = (b); \
    if (!a_ || !b_ || strcmp(a_, b_) != 0) { char m_[512]; snprintf(m_, sizeof m_, "%s == \"%.200s\" (got \"%.200s\")", #a, b_ ? b_ : "(null)", a_ ? a_ : "(null)"); \
    h_fail(__FILE__, __LINE__, m_); } } while (0)
#define CHECK_MEM(a, alen, b, blen) do { size_t al_ = (alen), bl_ = (blen); \
    if (al_ != bl_ || memcmp((a), (b), al_) != 0) { char m_[256]; snprintf(m_, sizeof m_, "%s[%zu] == %s[%zu]", #a, al_, #b, bl_); \
    h_fail(__FILE__, __LINE__, m_); } } while (0)

#endif

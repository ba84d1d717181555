/* In-process scan time (fidx_scan) for posts of about 2 KB, the size of a long social-media
 * post: a Vietnamese scam post full of indicators and obfuscations, an ordinary Vietnamese
 * post with prices, dates and no indicator, and an English one; plus the 64 KiB maximum.
 * Each scan is timed alone (clock_gettime, whose own cost is measured and reported); mean,
 * p50 and p99 are over all runs, after a warm-up.
 *
 *   fidx-bench-scan [RUNS]        (default 20000 per post)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_clock.h"
#include "fidx/scan.h"

#define POST_BYTES 2048

/* Paragraphs repeated until a post has POST_BYTES bytes. */
static const char *const scam_vi[] = {
    "THÔNG BÁO KHẨN từ Vietcombank: tài khoản của quý khách bị tạm khóa do đăng nhập bất "
    "thường. Xác thực ngay tại hxxps://vietcombank-xacthuc[.]com/login hoặc gọi 0912.345.678 "
    "(Zalo) để được hỗ trợ. ",
    "Phí mở khóa 500.000đ chuyển vào STK 19035678901234 Techcombank, chủ TK NGUYEN VAN HUNG, "
    "hạn chót 23h59 ngày 12/03/2024. ",
    "Liên hệ cán bộ: không chín tám bảy sáu năm bốn ba hai một, Telegram @hotro_vcb_247, "
    "email cskh[at]vcb-hotro[.]top, fanpage fb.com/vietcombank.hotro.vn. ",
    "Việc nhẹ lương cao, thu nhập 300k-1tr/ngày, không cần kinh nghiệm, inbox ngay ０９８７ ６５４ "
    "３２１ hoặc truy cập tuyendung-ctv.online/dangky để nhận nhiệm vụ đầu tiên. ",
};
static const char *const plain_vi[] = {
    "Hôm nay cả nhà mình đi chợ Bến Thành mua đồ chuẩn bị Tết, giá cả năm nay tăng khá nhiều: "
    "thịt ba chỉ 150.000đ/kg, bánh chưng 80k/cái, hoa đào 1.200.000đ một cành to. ",
    "Chiều 15h30 về nhà nấu nồi thịt kho trứng, 2kg thịt, 10 quả trứng vịt, 1 lít nước dừa, "
    "kho lửa nhỏ trong 2-3 tiếng là ngon. ",
    "Tối xem bóng đá, Việt Nam thắng 3-1, cả xóm hò reo. Năm 2024 chúc mọi người mạnh khỏe, "
    "an khang thịnh vượng, vạn sự như ý! ",
};
static const char *const scam_en[] = {
    "URGENT: your PayPal account has been limited. Restore access at "
    "paypal.com.resolution-center.io/confirm within 24 hours or call +1 888 555 0147. ",
    "Congratulations, you have won $5,000! Claim at http://apple-winner-claim.xyz/claim?id=7781 "
    "and email your details to claims@winner-desk.com, or text us on WhatsApp +44 7700 900123. ",
    "Our office is open 9:00-17:30, Monday to Friday, at 12 Main Street; invoices of $1,234.56 "
    "are due within 30 days. ",
};

static size_t fill(char *buf, const char *const *paras, size_t n)
{
    size_t len = 0;
    for (size_t i = 0; len < POST_BYTES; i++) {
        const char *p = paras[i % n];
        size_t l = strlen(p);
        if (len + l > POST_BYTES)
            break;
        memcpy(buf + len, p, l);
        len += l;
    }
    return len;
}

static int bench(const char *name, const fidx_scanner_t *sc, const char *text, size_t len,
                 size_t runs, fidx_scan_result_t *res, uint64_t *t, uint64_t clock_cost)
{
    fidx_err_t err;
    for (size_t i = 0; i < runs / 10 + 1; i++) /* warm-up */
        if (fidx_scan(sc, text, len, res, &err) != 0)
            return -1;
    uint64_t total = 0;
    for (size_t i = 0; i < runs; i++) {
        uint64_t a = now_ns();
        int rc = fidx_scan(sc, text, len, res, &err);
        uint64_t b = now_ns();
        if (rc != 0)
            return -1;
        t[i] = b - a > clock_cost ? b - a - clock_cost : 0;
        total += t[i];
    }
    qsort(t, runs, sizeof *t, cmp_u64);
    printf("%-12s %6zu bytes %3zu matches  mean %8.2f us  p50 %8.2f us  p99 %8.2f us  "
           "%7.1f MB/s\n",
           name, len, res->n, (double)total / (double)runs / 1e3, (double)t[runs / 2] / 1e3,
           (double)t[runs * 99 / 100] / 1e3, (double)len * (double)runs / ((double)total / 1e3));
    return 0;
}

int main(int argc, char **argv)
{
    size_t runs = argc > 1 ? strtoul(argv[1], NULL, 10) : 20000;
    if (runs < 100) {
        fprintf(stderr, "usage: fidx-bench-scan [RUNS >= 100]\n");
        return 2;
    }
    fidx_scanner_t *sc;
    fidx_err_t err;
    if (fidx_scanner_new(&sc, &err) != 0) {
        fprintf(stderr, "fidx-bench-scan: %s\n", err.reason);
        return 1;
    }
    fidx_scan_result_t *res = malloc(sizeof *res);
    uint64_t *t = malloc(runs * sizeof *t);
    char *big = malloc(FIDX_SCAN_MAX_TEXT);
    char post[POST_BYTES];
    if (!res || !t || !big) {
        fprintf(stderr, "fidx-bench-scan: out of memory\n");
        return 1;
    }
    uint64_t c0 = now_ns();
    for (int i = 0; i < 1000; i++)
        (void)now_ns();
    uint64_t clock_cost = (now_ns() - c0) / 1001;
    printf("clock_gettime cost %llu ns (subtracted); %zu runs per post\n",
           (unsigned long long)clock_cost, runs);
    int rc = 0;
    size_t len = fill(post, scam_vi, sizeof scam_vi / sizeof scam_vi[0]);
    rc |= bench("scam-vi", sc, post, len, runs, res, t, clock_cost);
    len = fill(post, plain_vi, sizeof plain_vi / sizeof plain_vi[0]);
    rc |= bench("ordinary-vi", sc, post, len, runs, res, t, clock_cost);
    len = fill(post, scam_en, sizeof scam_en / sizeof scam_en[0]);
    rc |= bench("scam-en", sc, post, len, runs, res, t, clock_cost);
    size_t blen = 0;
    while (blen + POST_BYTES <= FIDX_SCAN_MAX_TEXT) { /* 64 KiB of the Vietnamese scam post */
        size_t l = fill(big + blen, scam_vi, sizeof scam_vi / sizeof scam_vi[0]);
        blen += l;
        if (l == 0)
            break;
    }
    rc |= bench("scam-vi-64k", sc, big, blen, runs / 20 + 100, res, t, clock_cost);
    free(big);
    free(t);
    free(res);
    fidx_scanner_free(sc);
    if (rc != 0) {
        fprintf(stderr, "fidx-bench-scan: a scan failed\n");
        return 1;
    }
    return 0;
}

/* Windows of tokens around a position of the cleaned text: the words and numbers before a
 * number (nearest last) or after it, up to a paragraph break, read as the scanner compares
 * them (scan_text.c). scan_context.c judges a number by them, scan_links.c an @handle. */
#include "scan/scan_internal.h"

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static void number_token(fidx__word_t *w, size_t s, size_t e)
{
    w->start = s;
    w->end = e;
    w->flen = w->xlen = 0;
    w->fold[0] = '\0';
    w->flags = SCAN_W_NUMBER;
    w->ndigits = (uint8_t)(e - s > 255 ? 255 : e - s);
}

/* Reads the token that ends at t[i] (exclusive) backwards: 1 and the token, or 0 when the
 * character there is no part of one (then *i moves back over it). */
static int token_before(const fidx__scan_t *x, size_t *i, size_t lo, fidx__word_t *w)
{
    size_t s = fidx__scan_text_utf8_prev(x->t, *i), l;
    if (s < lo) {
        *i = lo;
        return 0;
    }
    if (is_digit(x->t[s])) {
        while (s > lo && is_digit(x->t[s - 1]))
            s--;
        number_token(w, s, *i);
        return 1;
    }
    if (!fidx__scan_letter_at(x, s, &l)) {
        *i = s;
        return 0;
    }
    while (s > lo) {
        size_t p = fidx__scan_text_utf8_prev(x->t, s);
        if (p < lo || !fidx__scan_letter_at(x, p, &l))
            break;
        s = p;
    }
    fidx__scan_text_word_read(x, s, *i, w);
    return 1;
}

void fidx__scan_window_before(const fidx__scan_t *x, size_t pos, size_t lo, size_t max,
                              fidx__window_t *win)
{
    fidx__word_t tmp[SCAN_WINDOW];
    size_t n = 0, i = pos;
    int nl = 0;
    win->nl_edge = 0;
    while (i > lo && n < max) {
        if (x->t[i - 1] == '\n') {
            if (++nl >= 2) /* a blank line: another paragraph */
                break;
            i--;
            continue;
        }
        if (!token_before(x, &i, lo, &tmp[n]))
            continue;
        if (nl && n == 0)
            win->nl_edge = 1;
        if (nl)
            tmp[n].flags |= SCAN_W_NL;
        nl = 0;
        i = tmp[n++].start;
    }
    win->n = n;
    for (size_t k = 0; k < n; k++)
        win->w[k] = tmp[n - 1 - k];
}

void fidx__scan_window_after(const fidx__scan_t *x, size_t pos, size_t hi, size_t max,
                             fidx__window_t *win)
{
    size_t n = 0, i = pos, l;
    int nl = 0;
    win->nl_edge = 0;
    while (i < hi && n < max) {
        fidx__word_t *w = &win->w[n];
        if (x->t[i] == '\n') {
            if (++nl >= 2)
                break;
            i++;
            continue;
        }
        if (is_digit(x->t[i])) {
            size_t e = i;
            while (e < hi && is_digit(x->t[e]))
                e++;
            number_token(w, i, e);
        } else if (fidx__scan_letter_at(x, i, &l)) {
            fidx__scan_text_word_read(x, i, hi, w);
        } else {
            i += l;
            continue;
        }
        if (nl && n == 0)
            win->nl_edge = 1;
        else if (nl)
            win->w[n - 1].flags |= SCAN_W_NL;
        nl = 0;
        i = w->end;
        n++;
    }
    win->n = n;
}

/* Vietnam's numbering plan as fidx_phone_normalize reads it, against libphonenumber's (Debian's
 * libphonenumber-dev, C++; used by this test only): every 4-digit prefix of a national
 * significant number, at every length from 7 to 10 digits, written nationally ("0" + NSN) and,
 * for service numbers, as dialled ("1800…"). A number one accepts and the other refuses fails
 * the test unless it is one of the differences docs/API.md ("Phone numbers: Vietnam's numbering
 * plan") lists as deliberate; so a new libphonenumber that moves a range shows here. */
#include <phonenumbers/phonenumberutil.h>

#include <cstdio>
#include <cstring>
#include <string>

extern "C" {
#include "fidx/phone.h"
}

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

namespace {

bool starts(const std::string &s, const char *p)
{
    return s.compare(0, std::strlen(p), p) == 0;
}

/* Ours accepts, libphonenumber refuses: 051x mobiles and 0288 landlines (later metadata lists
 * them), and the old 11-digit mobiles of the 2018 renumbering. */
bool ours_only(const std::string &nsn)
{
    static const char *const old[] = {"120", "121", "122", "123", "124", "125", "126",
                                      "127", "128", "129", "162", "163", "164", "165",
                                      "166", "167", "168", "169", "186", "188", "199"};
    if ((nsn.size() == 9 && starts(nsn, "51")) || (nsn.size() == 10 && starts(nsn, "288")))
        return true;
    for (const char *p : old)
        if (nsn.size() == 10 && starts(nsn, p))
            return true;
    return false;
}

/* libphonenumber accepts, ours refuses: short UAN numbers and the 12xx toll-free range. */
bool theirs_only(const std::string &nsn, PhoneNumberUtil::PhoneNumberType type)
{
    return type == PhoneNumberUtil::UAN ||
           (type == PhoneNumberUtil::TOLL_FREE && nsn.size() == 8 && starts(nsn, "12"));
}

bool ours(const std::string &in, std::string *canon)
{
    char out[64];
    size_t n;
    fidx_err_t err;
    if (fidx_phone_normalize(in.data(), in.size(), out, sizeof out, &n, &err) != 0)
        return false;
    canon->assign(out, n);
    return true;
}

} // namespace

int main()
{
    const PhoneNumberUtil *util = PhoneNumberUtil::GetInstance();
    int bad = 0, checked = 0;
    for (int prefix = 1000; prefix < 10000; prefix++) {
        for (size_t len = 7; len <= 10; len++) {
            for (char fill : {'5', '0'}) {
                std::string nsn = std::to_string(prefix) + std::string(len - 4, fill), canon;
                PhoneNumber num;
                bool lib = false;
                auto type = PhoneNumberUtil::UNKNOWN;
                if (util->Parse("+84" + nsn, "VN", &num) == PhoneNumberUtil::NO_PARSING_ERROR &&
                    util->IsValidNumberForRegion(num, "VN")) {
                    lib = true;
                    type = util->GetNumberType(num);
                }
                bool service = starts(nsn, "1800") || starts(nsn, "1900");
                bool mine = service ? ours(nsn, &canon) : ours("0" + nsn, &canon);
                checked++;
                if (lib == mine) {
                    std::string want = service ? nsn : "+84" + nsn;
                    if (mine && canon != want) {
                        std::printf("0%s: canonical %s, want %s\n", nsn.c_str(), canon.c_str(),
                                    want.c_str());
                        bad++;
                    }
                    continue;
                }
                if (mine ? ours_only(nsn) : theirs_only(nsn, type))
                    continue;
                std::printf("0%s (%zu digits): libphonenumber %s (type %d), fraudidx %s\n",
                            nsn.c_str(), len, lib ? "valid" : "invalid", (int)type,
                            mine ? "accepts" : "refuses");
                bad++;
            }
        }
    }
    std::printf("%d numbers compared with libphonenumber, %d differences not documented\n",
                checked, bad);
    return bad ? 1 : 0;
}

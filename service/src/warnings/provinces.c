/* The 34 provinces and cities (provinces.h). Order: roughly north to south, as the
 * resolution lists them; the index is a bit of a warning's region mask, so the order is part
 * of the data file's meaning only through the codes (the file stores codes, never bits). */
#include "warnings/provinces.h"

#include <string.h>

static const fidx__province_t provinces[FIDX__PROVINCE_COUNT] = {
    {"ha-noi", "Hà Nội", "Hanoi"},
    {"cao-bang", "Cao Bằng", "Cao Bang"},
    {"tuyen-quang", "Tuyên Quang", "Tuyen Quang"},
    {"dien-bien", "Điện Biên", "Dien Bien"},
    {"lai-chau", "Lai Châu", "Lai Chau"},
    {"son-la", "Sơn La", "Son La"},
    {"lao-cai", "Lào Cai", "Lao Cai"},
    {"thai-nguyen", "Thái Nguyên", "Thai Nguyen"},
    {"lang-son", "Lạng Sơn", "Lang Son"},
    {"quang-ninh", "Quảng Ninh", "Quang Ninh"},
    {"bac-ninh", "Bắc Ninh", "Bac Ninh"},
    {"phu-tho", "Phú Thọ", "Phu Tho"},
    {"hai-phong", "Hải Phòng", "Hai Phong"},
    {"hung-yen", "Hưng Yên", "Hung Yen"},
    {"ninh-binh", "Ninh Bình", "Ninh Binh"},
    {"thanh-hoa", "Thanh Hóa", "Thanh Hoa"},
    {"nghe-an", "Nghệ An", "Nghe An"},
    {"ha-tinh", "Hà Tĩnh", "Ha Tinh"},
    {"quang-tri", "Quảng Trị", "Quang Tri"},
    {"hue", "Huế", "Hue"},
    {"da-nang", "Đà Nẵng", "Da Nang"},
    {"quang-ngai", "Quảng Ngãi", "Quang Ngai"},
    {"gia-lai", "Gia Lai", "Gia Lai"},
    {"khanh-hoa", "Khánh Hòa", "Khanh Hoa"},
    {"dak-lak", "Đắk Lắk", "Dak Lak"},
    {"lam-dong", "Lâm Đồng", "Lam Dong"},
    {"dong-nai", "Đồng Nai", "Dong Nai"},
    {"tay-ninh", "Tây Ninh", "Tay Ninh"},
    {"ho-chi-minh", "TP. Hồ Chí Minh", "Ho Chi Minh City"},
    {"dong-thap", "Đồng Tháp", "Dong Thap"},
    {"vinh-long", "Vĩnh Long", "Vinh Long"},
    {"an-giang", "An Giang", "An Giang"},
    {"can-tho", "Cần Thơ", "Can Tho"},
    {"ca-mau", "Cà Mau", "Ca Mau"},
};

const fidx__province_t *fidx__province_at(int i)
{
    return i >= 0 && i < FIDX__PROVINCE_COUNT ? &provinces[i] : NULL;
}

int fidx__province_find(const char *p, size_t len)
{
    for (int i = 0; i < FIDX__PROVINCE_COUNT; i++)
        if (strlen(provinces[i].code) == len && memcmp(provinces[i].code, p, len) == 0)
            return i;
    return -1;
}

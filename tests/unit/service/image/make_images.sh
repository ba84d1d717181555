#!/bin/sh
# Makes the images that the image reader's tests (tests/unit/service/image/) and its benchmark
# (bench/image/) read, so that no binary image is committed: a 1080 x 2400 phone screenshot
# of a scam message in Vietnamese (a phone number, an account), as PNG, JPEG and WebP; VietQR
# codes (qrencode); the screenshot with a QR code in it; and variants that take other decoder
# paths (progressive JPEG, interlaced and transparent PNG, lossless WebP, a light-on-dark QR).
#
#   make_images.sh OUTDIR
#
# Needs Debian's imagemagick, fonts-dejavu-core, qrencode and webp (make deps installs them).
set -eu
out=${1:?usage: make_images.sh OUTDIR}
mkdir -p "$out"
cd "$out"

# VietQR payloads made by npm vietnam-qr-pay (tests/vectors/vietqr/): Vietcombank
# 0011004356782, 2,000,000 VND, "phi xac minh tai khoan"; MB 0912345678, "ung ho".
QR_VCB='00020101021238570010A00000072701270006970436011300110043567820208QRIBFTTA5303704540720000005802VN62260822phi xac minh tai khoan63040D56'
QR_MB='00020101021138540010A00000072701240006970422011009123456780208QRIBFTTA53037045802VN62100806ung ho6304FA7A'
printf '%s\n' "$QR_VCB" > qr_vcb.txt
printf '%s\n' "$QR_MB" > qr_mb.txt

# The message (the phone number and account the OCR tests look for: 0912.345.678,
# 0011004356782).
MSG='Tin nhắn từ: BỘ CÔNG AN
Tài khoản của bạn liên quan
đến vụ án rửa tiền. Gọi ngay
0912.345.678 để xác minh.
Chuyển tiền vào STK
0011004356782
Vietcombank NGUYEN VAN A
trước 17h hôm nay.'
FONT=DejaVu-Sans

# A messaging app's screen: a coloured title bar, the message in a grey bubble (RGB, as phones
# save screenshots).
convert -size 1080x2400 xc:'#f2f2f7' -font "$FONT" \
    -fill '#1b5fbf' -draw 'rectangle 0,0 1080,170' \
    -fill white -pointsize 44 -annotate +60+110 'Tin nhắn SMS' \
    -fill '#e3e3e8' -draw 'roundrectangle 30,230 1050,900 40,40' \
    -fill '#111111' -pointsize 48 -annotate +60+310 "$MSG" -strip PNG24:shot.png
convert shot.png -quality 85 -strip shot.jpg
cwebp -quiet -q 80 shot.png -o shot.webp
cwebp -quiet -lossless shot.png -o shot_lossless.webp

qrencode -s 10 -m 4 -o qr.png "$QR_VCB"
qrencode -s 10 -m 4 -o qr_mb.png "$QR_MB"
convert qr.png -negate qr_dark.png
convert qr.png qr_mb.png +append two_qr.png
convert shot.png qr.png -geometry +315+1100 -composite -strip PNG24:qr_shot.png
convert qr_shot.png -quality 85 -strip qr_shot.jpg
cwebp -quiet -q 80 qr_shot.png -o qr_shot.webp

# Other decoder paths: progressive JPEG, interlaced PNG, text on a transparent PNG.
convert qr_shot.png -quality 85 -interlace JPEG -strip qr_shot_progressive.jpg
convert qr_shot.png -interlace PNG -strip PNG24:qr_shot_interlaced.png
convert -size 1080x2400 xc:none -font "$FONT" -pointsize 48 -fill '#202080' \
    -annotate +60+310 "$MSG" -strip PNG32:shot_transparent.png
# libjpeg's working memory bound (96 MiB): progressive JPEGs keep 2 bytes per pixel and
# component. 24 MP in 4:2:0 needs 72 MB and decodes; 20 MP in 4:4:4 needs 120 MB, refused.
convert -size 4000x6000 xc:'#808890' -quality 80 -interlace JPEG -sampling-factor 2x2 \
    -strip big_progressive_420.jpg
convert -size 4000x5000 xc:'#808890' -quality 80 -interlace JPEG -sampling-factor 1x1 \
    -strip big_progressive_444.jpg
echo "images in $out"

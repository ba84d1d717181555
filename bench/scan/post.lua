-- wrk: POST /v1/scan with a ~2 KB Vietnamese scam post (the same text every time).
local post = [[THÔNG BÁO KHẨN từ Vietcombank: tài khoản của quý khách bị tạm khóa do đăng nhập bất thường. Xác thực ngay tại hxxps://vietcombank-xacthuc[.]com/login hoặc gọi 0910.001.001 (Zalo) để được hỗ trợ. Phí mở khóa 500.000đ chuyển vào STK 19035678901234 Techcombank, chủ TK NGUYEN VAN HUNG, hạn chót 23h59 ngày 12/03/2024. Việc nhẹ lương cao 300k-500k/ngày, làm tại nhà, chỉ cần điện thoại: nhắn telegram t.me/viec_nhe_luong_cao hoặc gọi không chín một không, không không một, không không một. Đầu tư sinh lời 30%/tháng tại sàn evil-invest[.]vn, hoàn vốn 100%. Liên hệ chị Lan 0 9 8 7 6 5 4 3 2 1 hoặc email hotro.vcb@gmail.com. Mã đơn hàng: DH20240312-0912345678. Giá chỉ 1.990.000đ, giảm 15%, giao ngày 15/03.]]
local body = '{"text":' .. string.format("%q", post):gsub("\\\n", "\\n") .. '}'
wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"

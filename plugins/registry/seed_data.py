"""The reference data every tenant starts with (ND30, Phụ lục III; DOMAIN.md §2).

Codes are stable ASCII keys (other plugins and edXML mappings refer to them); names and
abbreviations are the Vietnamese ones of the regulation. Tenants may rename, deactivate and
add items; seeding again only adds the codes that are missing.
"""

from __future__ import annotations

CONG_VAN_NOTATION = "{agency}-{unit}"

# (code, name, abbreviation, notation pattern ("" = the registry's))
DOCUMENT_TYPES: tuple[tuple[str, str, str, str], ...] = (
    ("nghi_quyet", "Nghị quyết", "NQ", ""),
    ("quyet_dinh", "Quyết định", "QĐ", ""),
    ("chi_thi", "Chỉ thị", "CT", ""),
    ("quy_che", "Quy chế", "QC", ""),
    ("quy_dinh", "Quy định", "QyĐ", ""),
    ("thong_cao", "Thông cáo", "TC", ""),
    ("thong_bao", "Thông báo", "TB", ""),
    ("huong_dan", "Hướng dẫn", "HD", ""),
    ("chuong_trinh", "Chương trình", "CTr", ""),
    ("ke_hoach", "Kế hoạch", "KH", ""),
    ("phuong_an", "Phương án", "PA", ""),
    ("de_an", "Đề án", "ĐA", ""),
    ("du_an", "Dự án", "DA", ""),
    ("bao_cao", "Báo cáo", "BC", ""),
    ("bien_ban", "Biên bản", "BB", ""),
    ("to_trinh", "Tờ trình", "TTr", ""),
    ("hop_dong", "Hợp đồng", "HĐ", ""),
    ("cong_van", "Công văn", "", CONG_VAN_NOTATION),
    ("cong_dien", "Công điện", "CĐ", ""),
    ("ban_ghi_nho", "Bản ghi nhớ", "BGN", ""),
    ("ban_thoa_thuan", "Bản thỏa thuận", "BTT", ""),
    ("giay_uy_quyen", "Giấy ủy quyền", "GUQ", ""),
    ("giay_moi", "Giấy mời", "GM", ""),
    ("giay_gioi_thieu", "Giấy giới thiệu", "GGT", ""),
    ("giay_nghi_phep", "Giấy nghỉ phép", "GNP", ""),
    ("phieu_gui", "Phiếu gửi", "PG", ""),
    ("phieu_chuyen", "Phiếu chuyển", "PC", ""),
    ("phieu_bao", "Phiếu báo", "PB", ""),
    ("thu_cong", "Thư công", "", ""),
)

# (code, name, abbreviation)
COPY_FORMS: tuple[tuple[str, str, str], ...] = (
    ("sao_y", "Bản sao y", "SY"),
    ("trich_sao", "Bản trích sao", "TrS"),
    ("sao_luc", "Bản sao lục", "SL"),
)

# (code, name, weight): a higher weight is more urgent; the weights equal edXML's Priority.
URGENCY_LEVELS: tuple[tuple[str, str, int], ...] = (
    ("thuong", "Thường", 0),
    ("khan", "Khẩn", 1),
    ("thuong_khan", "Thượng khẩn", 2),
    ("hoa_toc", "Hỏa tốc", 3),
)

# (code, name, level): level 0 is not confidential.
CONFIDENTIALITY_LEVELS: tuple[tuple[str, str, int], ...] = (
    ("thuong", "Thường", 0),
    ("mat", "Mật", 1),
    ("toi_mat", "Tối mật", 2),
    ("tuyet_mat", "Tuyệt mật", 3),
)

# (code, name, years): None is permanent.
RETENTION_PERIODS: tuple[tuple[str, str, int | None], ...] = (
    ("vinh_vien", "Vĩnh viễn", None),
    ("70_nam", "70 năm", 70),
    ("50_nam", "50 năm", 50),
    ("20_nam", "20 năm", 20),
    ("10_nam", "10 năm", 10),
    ("05_nam", "5 năm", 5),
)

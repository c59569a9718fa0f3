"""The 一企一表 as a print view and a PDF: what the official record carries, the QR code, the Chinese text."""
import io

import pypdf
import zxingcpp
from PIL import Image

from tests.factories import record_for_review
from webapp.domain.review import findings_digest


def _decode_data_uri_qr(html: str) -> str:
    import base64
    import re

    match = re.search(r'class="qr" src="data:image/png;base64,([^"]+)"', html)
    assert match, "no QR image on the page"
    image = Image.open(io.BytesIO(base64.b64decode(match.group(1))))
    found = zxingcpp.read_barcodes(image)
    assert found, "the QR image does not decode"
    return found[0].text


def test_print_view_reads_like_the_joint_inspection_record(world, client, auth):
    record = record_for_review(departments=("jiaoti", "renshe"), codes=("corrected",), fail=True, photos=2)
    auth.login("jt_review")
    response = client.get(f"/reports/records/{record.id}/print")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for text in ("随机抽查联合检查记录表", record.plan.doc_number, record.entity.name, record.entity.uscc,
                 "莲池区教育和体育局", "莲池区人社局", "■ 发现问题已责令改正", "□ 未发现问题", "不符合",
                 record.findings_hash, "附件：现场照片", "38.87390"):
        assert text in html, text
    for m in record.members:
        assert m.inspector.certificate_no in html
    signature = next(m for m in record.media if m.kind == "signature")
    assert f'src="/media/{signature.id}"' in html
    with client.get("/static/css/reports_print.css") as css:
        assert "@media print" in css.get_data(as_text=True)
    assert _decode_data_uri_qr(html) == f"http://localhost/v/{record.token}"


def test_print_view_states_a_refusal_to_sign(world, client, auth):
    record = record_for_review(departments=("jiaoti",), refused=True)
    auth.login("jt01")  # a team member may print their own record
    html = client.get(f"/reports/records/{record.id}/print").get_data(as_text=True)
    assert "拒绝签字" in html and record.refusal_note in html


def test_qr_uses_the_public_base_url(world, app, client, auth):
    app.config["PUBLIC_BASE_URL"] = "https://ssj.lianchi.gov.cn/"
    record = record_for_review(departments=("jiaoti",))
    auth.login("office")
    html = client.get(f"/reports/records/{record.id}/print").get_data(as_text=True)
    assert _decode_data_uri_qr(html) == f"https://ssj.lianchi.gov.cn/v/{record.token}"


def test_pdf_embeds_cjk_fonts_and_holds_the_chinese(world, client, auth):
    record = record_for_review(departments=("jiaoti", "renshe"), refused=True, photos=1)
    auth.login("office")
    response = client.get(f"/reports/records/{record.id}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    reader = pypdf.PdfReader(io.BytesIO(response.data))
    text = "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")
    for wanted in ("随机抽查联合检查记录表", record.plan.doc_number, record.entity.name, "莲池区教育和体育局",
                   "拒绝签字", "附件：现场照片"):
        assert wanted.replace(" ", "") in text, wanted
    for m in record.members:
        assert m.inspector.certificate_no in text
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), "font not embedded"
            fonts.add(str(font["/BaseFont"]))
    assert any("CJK" in f for f in fonts), fonts
    # The QR code in the PDF decodes to the verification address.
    decoded = set()
    for page in reader.pages:
        for image in page.images:
            for result in zxingcpp.read_barcodes(image.image.convert("L")):
                decoded.add(result.text)
    assert f"http://localhost/v/{record.token}" in decoded


def test_signed_findings_hash_printed_is_the_phones(world, client, auth):
    record = record_for_review(departments=("jiaoti",))
    assert record.findings_hash == findings_digest(record.findings, record.result_codes)
    auth.login("office")
    assert record.findings_hash in client.get(f"/reports/records/{record.id}/print").get_data(as_text=True)


def test_print_and_pdf_need_sight_of_the_record(world, client, auth):
    record = record_for_review(departments=("weijian",))
    auth.login("jt01")
    assert client.get(f"/reports/records/{record.id}/print").status_code == 403
    assert client.get(f"/reports/records/{record.id}/pdf").status_code == 403
    auth.logout()
    assert client.get(f"/reports/records/{record.id}/print").status_code == 302  # to the login page


def test_the_printed_qr_takes_a_signed_in_reviewer_to_the_record(world, client, auth):
    record = record_for_review(departments=("jiaoti",))
    auth.login("jt_review")
    html = client.get(f"/reports/records/{record.id}/print").get_data(as_text=True)
    path = _decode_data_uri_qr(html).removeprefix("http://localhost")
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/review/records/{record.id}")

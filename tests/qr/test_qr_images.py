"""QR images decode, with a real decoder, to the stable public addresses carrying unguessable tokens."""
import re

from sqlalchemy import select

from tests.factories import approved_record, current_plan, directory_entities
from tests.qr.decode import decode_data_url, decode_png
from webapp.core import qrcodes as images
from webapp.core.extensions import db
from webapp.stages.directory.models import Entity
from webapp.stages.records.models import InspectionRecord


def test_record_qr_png_decodes_to_its_verification_url(world, client, auth):
    record = approved_record(current_plan(), directory_entities(1)[0], team=("jt01", "rs01"))
    auth.login("jt01")
    response = client.get(f"/qr/record/{record.token}.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert decode_png(response.data) == [f"http://localhost/v/{record.token}"]


def test_public_base_url_wins_over_the_request_host(world, client, auth, app):
    app.config["PUBLIC_BASE_URL"] = "https://ssj.lianchi.gov.cn/"
    record = approved_record(current_plan(), directory_entities(1)[0])
    with app.test_request_context("/", base_url="http://10.0.0.5:8000"):
        assert decode_data_url(images.record_qr_data_url(record)) == [f"https://ssj.lianchi.gov.cn/v/{record.token}"]


def test_record_qr_needs_someone_who_may_see_the_record(world, client, auth):
    record = approved_record(current_plan(), directory_entities(1)[0], team=("jt01", "jt02"))
    assert client.get(f"/qr/record/{record.token}.png").status_code == 302  # to the login page
    auth.login("wj01")
    assert client.get(f"/qr/record/{record.token}.png").status_code == 403


def test_record_token_is_unguessable_and_not_the_id(world):
    record = approved_record(current_plan(), directory_entities(1)[0])
    assert len(record.token) >= 20 and record.token != str(record.id)
    assert re.fullmatch(r"[A-Za-z0-9_-]+", record.token)


def test_checkin_png_decodes_to_the_checkin_address(world, client, auth):
    entity = directory_entities(1)[0]
    auth.login("jt_admin")
    response = client.get(f"/qr/checkin/{entity.id}.png")
    assert response.status_code == 200
    assert decode_png(response.data) == [f"http://localhost/checkin/{entity.checkin_token}"]


def test_inspectors_do_not_print_posters(world, client, auth):
    entity = directory_entities(1)[0]
    auth.login("jt01")
    assert client.get(f"/qr/checkin/{entity.id}.png").status_code == 403
    assert client.get(f"/qr/posters/entity/{entity.id}").status_code == 403


def test_one_poster_carries_the_name_and_a_decodable_code(world, client, auth):
    entity = directory_entities(1)[0]
    auth.login("office")
    html = client.get(f"/qr/posters/entity/{entity.id}").get_data(as_text=True)
    assert entity.name in html and "扫码登记入企" in html
    (src,) = re.findall(r'src="(data:image/png;base64,[^"]+)"', html)
    assert decode_data_url(src) == [f"http://localhost/checkin/{entity.checkin_token}"]


def test_bulk_posters_of_a_plan_one_per_drawn_enterprise(world, client, auth):
    plan = current_plan()
    drawn = directory_entities(4)
    for e in drawn:
        approved_record(plan, e)
    in_plan = db.session.scalars(
        select(Entity).join(InspectionRecord).where(InspectionRecord.plan_id == plan.id)).all()
    outside = db.session.scalar(select(Entity).where(Entity.id.not_in([e.id for e in in_plan])).limit(1))
    auth.login("office")
    html = client.get(f"/qr/posters/plan/{plan.id}").get_data(as_text=True)
    assert f"共 {len(in_plan)} 张" in html
    codes = [decode_data_url(src)[0] for src in re.findall(r'src="(data:image/png;base64,[^"]+)"', html)]
    assert sorted(codes) == sorted(f"http://localhost/checkin/{e.checkin_token}" for e in in_plan)
    for e in drawn:
        assert e.name in html
    assert "A4" in html and outside.name not in html


def test_posters_index_lists_plans_and_finds_one_enterprise(world, client, auth):
    plan = current_plan()
    entity = directory_entities(1)[0]
    approved_record(plan, entity)
    auth.login("rs_admin")
    html = client.get("/qr/posters/").get_data(as_text=True)
    assert plan.title in html and f"/qr/posters/plan/{plan.id}?layout=4" in html
    html = client.get("/qr/posters/", query_string={"q": entity.uscc}).get_data(as_text=True)
    assert f"/qr/posters/entity/{entity.id}" in html
    html = client.get("/qr/posters/", query_string={"q": "_"}).get_data(as_text=True)
    assert "名录中没有与“_”相符的单位" in html


def test_four_to_a_sheet_layout_keeps_every_code_readable(world, client, auth):
    plan = current_plan()
    approved_record(plan, directory_entities(1)[0])
    auth.login("office")
    html = client.get(f"/qr/posters/plan/{plan.id}", query_string={"layout": "4"}).get_data(as_text=True)
    assert 'class="posters four"' in html and "每页四张" in html
    srcs = re.findall(r'src="(data:image/png;base64,[^"]+)"', html)
    assert srcs and all(decode_data_url(src)[0].startswith("http://localhost/checkin/") for src in srcs)

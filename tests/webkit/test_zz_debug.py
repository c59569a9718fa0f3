import pytest
from tests.webkit import phone
pytestmark = [pytest.mark.browser]
from tests.webkit.conftest import *  # noqa

def test_debug(dispatched, network, webkit):
    d = webkit
    d.get(network.url + "/login?next=/field/")
    from selenium.webdriver.common.by import By
    d.find_element(By.NAME, "username").send_keys("jt01")
    d.find_element(By.NAME, "password").send_keys("lianchi2023")
    d.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    phone.until(d, "return location.pathname === '/field/'")
    for m in ["db","net","ui","env","sync","rules","photo","signature","views/common","views/tasks","views/sign","views/arrival","app"]:
        r = d.execute_async_script("const done = arguments[0]; import('/static/field/%s.js').then(() => done('ok'), (e) => done(String(e) + ' ' + (e.stack||'')))" % m)
        print(m, r)
    print(d.execute_script("return [typeof structuredClone, typeof indexedDB, !!navigator.serviceWorker, isSecureContext]"))

#!/usr/bin/python3
"""A phone-sized WebKitGTK browser for WebKitWebDriver: a 360×740 GTK window hosting one WebKit view.

MiniBrowser's window will not go below ~447 px wide, so the WebKit tests drive this instead. WebKitWebDriver starts
it with `--automation` and WEBKIT_INSPECTOR_SERVER set; each view the driver asks for is a WebKitWebView
controlled by automation, in a window of the phone's size. Runs on Debian's python3 (python3-gi,
gir1.2-webkit2-4.1), not the project's virtualenv. Argument `--data-dir=DIR` keeps the site's storage (service
worker, IndexedDB, caches) under DIR, so a test can close the browser and open it again on the same phone."""
import sys

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("WebKit2", "4.1")
from gi.repository import GLib, Gtk, WebKit2  # noqa: E402

WIDTH, HEIGHT = 360, 740
# Off by default in WebKitGTK; Safari on iOS has them (navigator.storage.persist/estimate).
FEATURES = ("StorageAPI", "StorageAPIEstimate", "ServiceWorkers")


def main(argv):
    data_dir = next((a.split("=", 1)[1] for a in argv if a.startswith("--data-dir=")), None)
    if data_dir:
        manager = WebKit2.WebsiteDataManager(base_data_directory=f"{data_dir}/data",
                                             base_cache_directory=f"{data_dir}/cache")
    else:
        manager = WebKit2.WebsiteDataManager.new_ephemeral()
    context = WebKit2.WebContext(website_data_manager=manager)
    context.set_automation_allowed("--automation" in argv)
    features = WebKit2.Settings.get_all_features()
    wanted = {features.get(i).get_identifier(): features.get(i) for i in range(features.get_length())}
    windows = []

    def new_view():
        settings = WebKit2.Settings(enable_developer_extras=True, enable_write_console_messages_to_stdout=True)
        for name in FEATURES:
            if name in wanted:
                settings.set_feature_enabled(wanted[name], True)
        view = WebKit2.WebView(web_context=context, settings=settings, is_controlled_by_automation=True)
        window = Gtk.Window(title="spotcheck phone")
        window.set_default_size(WIDTH, HEIGHT)
        window.set_size_request(WIDTH, HEIGHT)
        window.set_resizable(False)
        window.add(view)
        view.connect("close", lambda v: window.destroy())
        window.connect("destroy", lambda w: (windows.remove(w), windows or Gtk.main_quit()))
        windows.append(window)
        window.show_all()
        return view

    def automation_started(_context, session):
        info = WebKit2.ApplicationInfo()
        info.set_name("spotcheck-phone")
        info.set_version(1, 0, 0)
        session.set_application_info(info)
        session.connect("create-web-view", lambda _s: new_view())

    context.connect("automation-started", automation_started)
    if "--automation" not in argv:
        new_view().load_uri(argv[-1] if len(argv) > 1 else "about:blank")
    Gtk.main()


if __name__ == "__main__":
    GLib.set_prgname("spotcheck-phone")
    main(sys.argv)

"""The security headers every portal response carries (with the `secure` library's ASGI middleware).

No page is kept by the browser (Back after logout shows nothing of a declaration), nothing runs but the portal's own
script file (no inline script or style exists to allow), no site may frame a page, nothing is sniffed, and no
other site learns a portal address from the Referer.
"""

from secure import (
    CacheControl,
    ContentSecurityPolicy,
    ReferrerPolicy,
    Secure,
    XContentTypeOptions,
    XFrameOptions,
)

POLICY = Secure(
    cache=CacheControl().no_store(),
    csp=(
        ContentSecurityPolicy()
        .default_src("'self'")
        .script_src("'self'")
        .style_src("'self'")
        .img_src("'self'")
        .object_src("'none'")
        .base_uri("'none'")
        .form_action("'self'")
        .frame_ancestors("'none'")
    ),
    referrer=ReferrerPolicy().same_origin(),
    xcto=XContentTypeOptions().nosniff(),
    xfo=XFrameOptions().deny(),
)

"""Django admin for CMS staff and the QPP Service Center [SPEC §7 Django admin].

``registration_admin`` (the registrations, with ``actions``, ``export``, ``filters``, ``forms``,
``registration_history`` and ``paginator``), ``years`` (performance years) and
``sampling_notices`` (fall sampling notices, read from staff's CSV by ``sampling_csv``) each
register their models here. Staff-only pieces live here too: ``search`` (the changelist's
search), ``staff_groups`` (the two staff groups) and ``organization_history`` (the help desk's
page of one organization's story, ``registrations.activity``). Every change goes through the
services; the shared admin base classes are ``qpp_registration.core.admin_classes``.
"""

from registrations.admin import registration_admin, sampling_notices  # noqa: F401 - each registers its models

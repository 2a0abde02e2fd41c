from tests.api.conftest import api_key, client_for  # noqa: F401 - the API suite's clients, shared
from tests.notifications.fixtures import *  # noqa: F403

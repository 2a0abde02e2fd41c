from tests.notifications.fixtures import *  # noqa: F403

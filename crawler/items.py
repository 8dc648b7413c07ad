"""The crawler's items. They live at the bottom layer (govwatch.items) because
storage consumes them and must not import the crawler; this module is the
crawler's name for them."""

from govwatch.items import (  # noqa: F401
    BLOCKED,
    DELETED_ORIGINAL,
    ERROR,
    LOGIN_REQUIRED,
    MEDIA_KINDS,
    NOT_FOUND,
    OK,
    OUTCOMES,
    PARSE_ERROR,
    CommentItem,
    DeletionItem,
    OutcomeItem,
    PageProblem,
    PostBatch,
    PostItem,
    ProfileItem,
)

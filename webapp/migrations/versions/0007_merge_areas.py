"""one head: the areas' branches joined

Revision ID: 0007_merge_areas
Revises: 0002_directories, 0003_draw, 0004_field, 0005_review, 0006_publication


"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_merge_areas'
down_revision = ('0002_directories', '0003_draw', '0004_field', '0005_review', '0006_publication')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass

"""A leaner outbox (issue 13): fewer indexes, and room on each page for HOT updates.

Rows being sent are no longer `sending`: they stay `claimed`, marked begun by
`sending_started_at`, which no index covers, so the mark a worker commits before each
provider call rewrites no index entry. Dropped: the recipient's own index (notif_msg_recip_idx
begins with it), the LIKE-only twins of dedupe_key's and provider_sid's indexes, and the
index of `sending` rows; provider_sid's index covers only rows that have one.

Claims are stamped with the database's epoch, kept in an UNLOGGED table that a crash of
PostgreSQL empties (notifications.durability).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0005_message_claim_lease'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE UNLOGGED TABLE notifications_outbox_epoch "
            "(id integer PRIMARY KEY CHECK (id = 1), epoch uuid NOT NULL)",
            "DROP TABLE notifications_outbox_epoch",
        ),
        migrations.AddField(
            model_name='message',
            name='claim_epoch',
            field=models.UUIDField(blank=True, null=True),
        ),
        migrations.RunSQL(
            # Rows caught mid-send by this migration keep their meaning: begun, not resent.
            "UPDATE notifications_message SET status = 'claimed' WHERE status = 'sending'",
            "UPDATE notifications_message SET status = 'sending' "
            "WHERE status = 'claimed' AND sending_started_at IS NOT NULL",
        ),
        migrations.RunSQL(
            # A quarter of each page left free, so a row's next version fits beside it (HOT).
            "ALTER TABLE notifications_message SET (fillfactor = 75)",
            "ALTER TABLE notifications_message RESET (fillfactor)",
        ),
        migrations.AddConstraint(
            model_name='message',
            constraint=models.UniqueConstraint(fields=('dedupe_key',), name='notif_msg_dedupe_key_uniq'),
        ),
        migrations.RemoveIndex(
            model_name='message',
            name='notif_msg_due_idx',
        ),
        migrations.RemoveIndex(
            model_name='message',
            name='notif_msg_sending_idx',
        ),
        migrations.AlterField(
            model_name='message',
            name='dedupe_key',
            field=models.CharField(max_length=200),
        ),
        migrations.AlterField(
            model_name='message',
            name='provider_sid',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AlterField(
            model_name='message',
            name='recipient',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='messages', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='message',
            name='status',
            field=models.CharField(choices=[('queued', 'Queued'), ('claimed', 'Claimed'), ('sent', 'Sent'), ('delivered', 'Delivered'), ('undelivered', 'Undelivered'), ('failed', 'Failed'), ('suppressed', 'Suppressed'), ('unknown', 'Unknown')], default='queued', max_length=12),
        ),
        migrations.AddIndex(
            model_name='message',
            index=models.Index(condition=models.Q(('status', 'queued')), fields=['not_before', 'id'], name='notif_msg_queue_idx'),
        ),
        migrations.AddIndex(
            model_name='message',
            index=models.Index(condition=models.Q(('provider_sid', ''), _negated=True), fields=['provider_sid'], name='notif_msg_provider_sid_idx'),
        ),
    ]

"""A published configuration written as a folder again validates and gives the same workflows, routes and groups:
exporting and publishing an earlier version lose nothing."""

from accordeer.paths import DEPLOY_DIR
from services.workflow.domain import check_config, load_config_folder
from services.workflow.domain.export import file_name, folder_of


def test_the_shipped_configuration_goes_round_through_its_export_unchanged():
    published = check_config(load_config_folder(DEPLOY_DIR / "config"))
    assert published.ok
    again = check_config(folder_of(published.workflows, published.routes, published.directory, published.item_type))
    assert again.ok, again.report()
    assert again.workflows == published.workflows
    assert again.routes == published.routes
    assert again.directory.groups == published.directory.groups
    assert again.item_type == published.item_type and set(published.item_type) == {
        "reaction_templates.yaml",
        "item_type.yaml",
    }


def test_a_workflow_s_file_is_named_after_it():
    assert file_name("Belastingdienst Utrecht") == "workflows/belastingdienst-utrecht.yaml"
    assert file_name("***") == "workflows/workflow.yaml"

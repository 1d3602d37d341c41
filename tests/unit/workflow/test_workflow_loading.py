"""Reading a configuration folder, and checking a whole folder as publishing does."""

from services.workflow.domain import check_config, load_config_folder


def test_the_shipped_folder_is_read_with_paths_relative_to_it(shipped_folder):
    folder = load_config_folder(shipped_folder)

    assert set(folder.files) == {"workflows/standard.yaml", "workflows/belastingdienst.yaml", "workflows/kvk.yaml"}
    assert "btw-aangifte" in folder.routes and "kantoor" in folder.users


def test_a_folder_with_only_workflows_has_no_routes_and_no_groups(tmp_path, standard_text):
    (tmp_path / "workflows").mkdir()
    (tmp_path / "workflows" / "standard.yaml").write_text(standard_text)
    (tmp_path / "workflows" / "notes.txt").write_text("not a workflow")

    folder = load_config_folder(tmp_path)
    publication = check_config(folder)

    assert (list(folder.files), folder.routes, folder.users) == (["workflows/standard.yaml"], None, None)
    assert publication.routes == () and not publication.directory.groups
    assert [p.message for p in publication.problems] == ["assignee '@kantoor' names an unknown group"]


def test_a_folder_check_reports_problems_of_every_file_and_publishes_nothing(tmp_path, standard_text):
    (tmp_path / "workflows").mkdir()
    (tmp_path / "workflows" / "standard.yaml").write_text(standard_text)
    (tmp_path / "workflows" / "vpb.yaml").write_text("name: VPB\nbased_on: standard\ntaskmanager: x\n")
    (tmp_path / "routes.yaml").write_text(
        "- {message_type: vpb-aangifte, workflow: VPB}\n- {message_type: loonheffing, workflow: LH}\n"
    )
    (tmp_path / "users.yaml").write_text(
        "groups:\n  klanten: [klant]\n  kantoor: medewerker\nusers_elsewhere: ignored\n"
    )

    publication = check_config(load_config_folder(tmp_path))

    assert not publication.ok
    assert [str(p) for p in publication.problems] == [
        "users.yaml: groups.kantoor: Input should be a valid list",
        "workflows/vpb.yaml: workflow 'VPB': unknown key 'taskmanager'",
        "routes.yaml: workflow 'LH': route for message type 'loonheffing' names unknown workflow 'LH'",
    ]
    assert publication.report() == [str(p) for p in publication.problems]

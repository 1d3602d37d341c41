-- An item's history in the portal names the operator who took an action on someone's behalf (`accordeer act
-- --as`), beside the person it was taken for; NULL when that person acted themselves.
-- depends: 0022_resend_function
ALTER TABLE portal.history ADD COLUMN operator text;

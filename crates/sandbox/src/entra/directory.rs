//! The Entra directory the sandbox's tenant holds: users and two groups, all assigned to the
//! Webex enterprise app. Seeded deterministically, so object ids are the same on every run.

use uuid::Uuid;

/// The domain every seeded user signs in with.
const DOMAIN: &str = "sandbox.example";

/// (given name, surname, department, job title) of the seeded people; cycled, with an index
/// appended to the sign-in name on later rounds.
const PEOPLE: [(&str, &str, Option<&str>, Option<&str>); 16] = [
    ("Adele", "Vance", Some("Retail"), Some("Retail Manager")),
    ("Alex", "Wilber", Some("Marketing"), Some("Marketing Assistant")),
    ("Diego", "Siciliani", Some("HR"), Some("HR Manager")),
    ("Grady", "Archie", Some("R&D"), Some("Designer")),
    ("Henrietta", "Mueller", Some("R&D"), Some("Developer")),
    ("Isaiah", "Langer", Some("Sales"), Some("Sales Rep")),
    ("Johanna", "Lorenz", Some("Engineering"), Some("Senior Engineer")),
    ("Joni", "Sherman", Some("Legal"), Some("Paralegal")),
    ("Lee", "Gu", Some("Manufacturing"), Some("Director")),
    ("Lidia", "Holloway", Some("Engineering"), Some("Product Manager")),
    ("Lynne", "Robbins", Some("Retail"), None),
    ("Megan", "Bowen", Some("Marketing"), Some("Marketing Manager")),
    ("Miriam", "Graham", Some("Sales & Marketing"), Some("Director")),
    ("Nestor", "Wilke", Some("Operations"), Some("Director")),
    ("Patti", "Fernandez", None, Some("President")),
    ("Pradeep", "Gupta", Some("Finance"), Some("Accountant")),
];

/// How many of the first users are in "Webex Admins".
const ADMINS: usize = 3;

/// What the object ids of seeded directory objects start with.
const ID_PREFIX: [u8; 6] = [0xe7, 0x7a, 0x5a, 0x4d, 0xb0, 0xc5];

/// A user in the directory, with the attributes Entra's default Webex mapping reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DirectoryUser {
    /// The object id.
    pub(crate) id: Uuid,
    /// `userPrincipalName`, exported as SCIM `userName`.
    pub(crate) user_principal_name: String,
    /// `mail`, exported as the work email.
    pub(crate) mail: String,
    /// `givenName`.
    pub(crate) given_name: String,
    /// `surname`.
    pub(crate) surname: String,
    /// `displayName`.
    pub(crate) display_name: String,
    /// `department`, exported as the enterprise extension's department.
    pub(crate) department: Option<String>,
    /// `jobTitle`, exported as `title`.
    pub(crate) job_title: Option<String>,
    /// `accountEnabled`, exported as `active`.
    pub(crate) account_enabled: bool,
}

/// A security group in the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DirectoryGroup {
    /// The object id.
    pub(crate) id: Uuid,
    /// `displayName`, the name groups are matched by.
    pub(crate) display_name: String,
    /// Object ids of the member users.
    pub(crate) members: Vec<Uuid>,
}

/// The users and groups assigned to the Webex app.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Directory {
    /// Assigned users.
    pub(crate) users: Vec<DirectoryUser>,
    /// Assigned groups.
    pub(crate) groups: Vec<DirectoryGroup>,
}

/// A made-up but fixed object id: kind 1 for users, 2 for groups.
fn object_id(kind: u8, index: usize) -> Uuid {
    let mut bytes = [0u8; 16];
    bytes[..6].copy_from_slice(&ID_PREFIX);
    bytes[6] = kind;
    bytes[8..].copy_from_slice(&(index as u64).to_be_bytes());
    // Marks it version 4 / RFC 4122 variant, so it looks like any other object id.
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

impl Directory {
    /// `users` enabled users with realistic names (`adele.vance@sandbox.example`, then
    /// `adele.vance2@…` once the names run out), and two groups: "Webex Users" with everyone
    /// and "Webex Admins" with the first three.
    pub(crate) fn seeded(users: usize) -> Self {
        let users: Vec<DirectoryUser> = (0..users).map(seeded_user).collect();
        let everyone = users.iter().map(|u| u.id).collect::<Vec<_>>();
        let admins = everyone.iter().copied().take(ADMINS).collect();
        let groups = vec![
            DirectoryGroup {
                id: object_id(2, 0),
                display_name: "Webex Users".into(),
                members: everyone,
            },
            DirectoryGroup {
                id: object_id(2, 1),
                display_name: "Webex Admins".into(),
                members: admins,
            },
        ];
        Self { users, groups }
    }

    /// The user with this object id.
    pub(crate) fn user(&self, id: Uuid) -> Option<&DirectoryUser> {
        self.users.iter().find(|u| u.id == id)
    }
}

fn seeded_user(index: usize) -> DirectoryUser {
    let (given, surname, department, title) = PEOPLE[index % PEOPLE.len()];
    let round = index / PEOPLE.len();
    let nickname = match round {
        0 => format!("{given}.{surname}").to_lowercase(),
        n => format!("{given}.{surname}{}", n + 1).to_lowercase(),
    };
    let upn = format!("{nickname}@{DOMAIN}");
    DirectoryUser {
        id: object_id(1, index),
        mail: upn.clone(),
        user_principal_name: upn,
        given_name: given.into(),
        surname: surname.into(),
        display_name: format!("{given} {surname}"),
        department: department.map(str::to_owned),
        job_title: title.map(str::to_owned),
        account_enabled: true,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn seeded_is_deterministic_unique_and_grouped() {
        let directory = Directory::seeded(40);
        assert_eq!(directory, Directory::seeded(40));
        assert_eq!(directory.users.len(), 40);
        let first = &directory.users[0];
        assert_eq!(first.user_principal_name, "adele.vance@sandbox.example");
        assert_eq!(first.display_name, "Adele Vance");
        assert_eq!(
            directory.users[16].user_principal_name,
            "adele.vance2@sandbox.example"
        );
        assert_eq!(
            directory.users[33].user_principal_name,
            "alex.wilber3@sandbox.example"
        );
        let upns: HashSet<_> = directory
            .users
            .iter()
            .map(|u| u.user_principal_name.to_lowercase())
            .collect();
        let ids: HashSet<_> = directory
            .users
            .iter()
            .map(|u| u.id)
            .chain(directory.groups.iter().map(|g| g.id))
            .collect();
        assert_eq!((upns.len(), ids.len()), (40, 42));
        assert!(
            directory
                .users
                .iter()
                .all(|u| u.account_enabled && u.id.get_version_num() == 4)
        );

        let names: Vec<&str> = directory.groups.iter().map(|g| g.display_name.as_str()).collect();
        assert_eq!(names, ["Webex Users", "Webex Admins"]);
        assert_eq!(directory.groups[0].members.len(), 40);
        assert_eq!(directory.groups[1].members, directory.groups[0].members[..3]);
        assert_eq!(directory.user(first.id), Some(first));
    }

    #[test]
    fn small_and_empty_directories() {
        let one = Directory::seeded(1);
        assert_eq!(one.groups[1].members, [one.users[0].id]);
        let none = Directory::seeded(0);
        assert!(none.users.is_empty() && none.groups.iter().all(|g| g.members.is_empty()));
        assert_eq!(none.groups.len(), 2);
    }
}
